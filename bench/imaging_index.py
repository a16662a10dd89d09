"""The archive index QIDO-RS is measured over: issue 11 asks for the study search's p95 with
1,000,000 instances in the index. Filling it by STOW would take hours, so the rows are
bulk-loaded on the server (INSERT ... SELECT over generate_series: no row passes through
Python) into a template database, once; each bench run that measures QIDO starts from a
copy of it (CREATE DATABASE ... TEMPLATE, a file copy) and ingests its own instances on top.

The template holds what a fresh bench database holds (migrated, the bench's hospital, its
member and its DICOM node) plus the filler: studies of 25 CT, MR, DR or US instances each,
of that hospital, not yet linked to a patient (as the bench's own are, so that the same
searches see both), with patients' names, IDs and study dates spread over years. It is
reused while its comment names the same instance count and the same migrations, else made
again."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

PER_STUDY = 25
FILLER_MARK = "xt-bench-imaging-index"

# Server-side generation of the filler (PostgreSQL). Study UIDs 2.25.1…, series 2.25.2…,
# instances 2.25.3…: never a UID the bench's synthetic instances use.
_STUDIES_SQL = """
INSERT INTO imaging_study (
    uuid, created_at, updated_at, study_instance_uid, institution_id, patient_id,
    dicom_patient_id, patient_name, patient_name_search, patient_birth_date, patient_sex,
    study_date, study_time, accession_number, study_id, study_description,
    referring_physician_name, modalities, series_count, instance_count, unmatched_reason,
    received_at)
SELECT gen_random_uuid(), now(), now(), '2.25.1' || lpad(n::text, 12, '0'), %(institution)s,
    NULL, 'P' || lpad((n * 7 %% %(studies)s)::text, 9, '0'), name, name,
    to_char(date '1935-01-01' + (n * 37 %% 29000), 'YYYYMMDD'), (ARRAY['M', 'F'])[1 + n %% 2],
    to_char(date '2015-01-01' + (n * 7919 %% 4300), 'YYYYMMDD'),
    lpad((n * 131 %% 235959)::text, 6, '0'), 'F' || lpad(n::text, 10, '0'), n::text,
    (ARRAY['CT CHEST', 'MR HEAD', 'DR CHEST', 'US ABDOMEN'])[1 + n %% 4], '',
    '/' || (ARRAY['CT', 'MR', 'DR', 'US'])[1 + n %% 4] || '/', 1, %(per_study)s,
    'no_patient', now()
FROM (
    SELECT n, (ARRAY['WANG', 'LI', 'ZHANG', 'LIU', 'CHEN', 'YANG', 'HUANG', 'ZHAO', 'WU',
                     'ZHOU', 'XU', 'SUN', 'MA', 'ZHU', 'HU', 'GUO', 'HE', 'GAO', 'LIN',
                     'LUO'])[1 + n %% 20]
           || '^' || (ARRAY['FANG', 'WEI', 'NA', 'XIUYING', 'MIN', 'JING', 'LEI', 'QIANG',
                            'JUN', 'YAN', 'JIE', 'TAO', 'MING', 'CHAO', 'XIULAN', 'XIA',
                            'PING', 'GANG', 'GUIYING', 'HUA'])[1 + (n / 20) %% 20]
           || (n / 400)::text AS name
    FROM generate_series(1, %(studies)s) AS n
) AS people
"""
_SERIES_SQL = """
INSERT INTO imaging_series (study_id, series_instance_uid, modality, series_number,
    series_description, body_part, series_date, instance_count)
SELECT id, '2.25.2' || substr(study_instance_uid, 7), substr(modalities, 2, 2), 1,
    study_description, '', study_date, %(per_study)s
FROM imaging_study WHERE study_instance_uid LIKE '2.25.1%%'
"""
_INSTANCES_SQL = """
INSERT INTO imaging_instance (series_id, study_id, sop_instance_uid, sop_class_uid,
    instance_number, rows, columns, number_of_frames, transfer_syntax_uid, metadata, file,
    size, institution_id, route, received_at)
SELECT s.id, s.study_id, '2.25.3' || substr(s.series_instance_uid, 7) || lpad(i::text, 3, '0'),
    '1.2.840.10008.5.1.4.1.1.2', i, 512, 512, 1, '1.2.840.10008.1.2.1', '{}',
    'imaging/bench-index/none.dcm', 0, %(institution)s, 'stow', now()
FROM imaging_series AS s CROSS JOIN generate_series(1, %(per_study)s) AS i
WHERE s.series_instance_uid LIKE '2.25.2%%'
"""


def template_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_index"))


def _maintenance(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def signature(instances: int) -> str:
    """What the template must have been made for: the instance count and the migrations
    on disk (a new migration makes it again)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    names = sorted(f"{app}.{name}" for app, name in MigrationLoader(connection).disk_migrations)
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]
    return f"{FILLER_MARK} {instances} {digest}"


def template_comment(url: str) -> str:
    """The template's comment ("" when there is none): its signature and the member id."""
    import psycopg

    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [_name(template_url(url))],
        ).fetchone()
    return str(row[0] or "") if row else ""


def filler_load(institution_id: int, instances: int) -> int:
    """Bulk-loads the filler into the database Django is connected to; returns how many
    instances it added."""
    from django.db import connection

    studies = max(1, (instances + PER_STUDY - 1) // PER_STUDY)
    params = {"institution": institution_id, "studies": studies, "per_study": PER_STUDY}
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(_STUDIES_SQL, params)
        cursor.execute(_SERIES_SQL, params)
        cursor.execute(_INSTANCES_SQL, params)
        added = cursor.rowcount
        cursor.execute("ANALYZE imaging_study")
        cursor.execute("ANALYZE imaging_series")
        cursor.execute("ANALYZE imaging_instance")
    return int(added)


def template_make(
    url: str, instances: int, world: Callable[[], int], fresh: Callable[[str], None]
) -> None:
    """Makes the template from the bench's own database: fresh, migrated with the bench's
    world (`world` returns the member's membership id), filled, then renamed to the
    template's name with its signature and the member in its comment."""
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    fresh(url)
    membership_id = world()
    added = filler_load(_institution_of(membership_id), instances)
    print(f"  bulk-loaded {added:,} instances into the QIDO index template", flush=True)
    comment = f"{signature(instances)} member={membership_id}"  # reads the migrations
    connections.close_all()  # before the database is renamed
    template = _name(template_url(url))
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(template))
        )
        conn.execute(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(_name(url)), sql.Identifier(template)
            )
        )
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(template), sql.Literal(comment)
            )
        )


def _institution_of(membership_id: int) -> int:
    from xietong.accounts.models import Membership

    return int(Membership.objects.get(pk=membership_id).institution_id)


def database_from_template(url: str, instances: int, world: Callable[[], int],
                           fresh: Callable[[str], None]) -> int:  # fmt: skip
    """The bench's database as a copy of the template (made first when missing or stale);
    returns the bench member's membership id."""
    import psycopg
    from django.db import connections
    from psycopg import sql

    wanted = signature(instances)  # reads the migrations through Django's connection
    connections.close_all()  # which the database's drop below must not find open
    comment = template_comment(url)
    if not comment.startswith(wanted + " "):
        print(f"making the QIDO index template ({instances:,} instances), once", flush=True)
        template_make(url, instances, world, fresh)
        comment = template_comment(url)
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_name(url)))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(_name(url)), sql.Identifier(_name(template_url(url)))
            )
        )
    return int(comment.rsplit("member=", 1)[1])
