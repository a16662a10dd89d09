"""The timeline's selector: our imaging studies among what hospitals pushed, paged as one
list; the lab trends; and a fixed number of statements however long the record."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xietong.accounts.actors import actor_for_membership
from xietong.core.tests.statements import statements_counted
from xietong.imaging.tests.world import a_sender, a_study, person_of, stored
from xietong.patients.models import IdentifierSystem, PatientIdentifier

from ..ehr.selectors import EhrCriteria, ehr_timeline_for
from ..push.columns import LOCAL
from .ehr_world import World, doctor_at, glucose, pushed_ok, world_build
from .factories import patient_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return world_build()


def _studies(w: World, *days: dt.date) -> None:
    """CTs the county hospital's PACS stored in our archive, matched on its record number."""
    PatientIdentifier.objects.get_or_create(patient=w.patient, system=IdentifierSystem.MRN,
                                            value="CT-MRN", assigner=w.county)  # fmt: skip
    sender = a_sender(w.county)
    for day in days:
        stored(sender, a_study(person_of(w.patient, mrn="CT-MRN"), study_date=day))


def _more_results(w: World, count: int) -> None:
    person = patient_entry(w.county, f"MRN-{w.county.code}", resident_id=w.resident_id)
    subject = {"reference": person["fullUrl"]}
    pushed_ok(w.county_secret, [person, *[
        glucose(w.county, f"X{n}", subject, 6.0, f"2026-09-{n % 28 + 1:02d}T07:00:00+08:00")
        for n in range(count)
    ]])  # fmt: skip


def test_our_studies_are_paged_among_the_pushed_entries_as_one_list(w: World) -> None:
    _studies(w, dt.date(2026, 11, 14), dt.date(2026, 11, 4), dt.date(2026, 10, 1))
    membership, _client = doctor_at(w.county)
    actor = actor_for_membership(membership)

    def page(n: int, size: int) -> list[tuple[str, str]]:
        timeline = ehr_timeline_for(actor=actor, patient=w.patient, criteria=EhrCriteria(),
                                    page_number=str(n), per_page=size)  # fmt: skip
        entries = timeline.page.object_list
        return [(e.kind.code, f"{e.at.astimezone(LOCAL):%m-%d %H:%M}") for e in entries if e.at]

    whole = page(1, 100)
    assert len(whole) == 13
    assert whole[0] == ("imaging", "11-14 09:30") and whole[-1] == ("imaging", "10-01 09:30")
    at = whole.index(("observation", "11-05 07:30"))
    assert whole[at + 1] == ("imaging", "11-04 09:30")
    assert page(1, 3) + page(2, 3) + page(3, 3) + page(4, 3) + page(5, 3) == whole
    assert page(3, 5) == whole[10:]


def test_a_study_links_to_the_viewer_and_the_patients_studies(w: World) -> None:
    _studies(w, dt.date(2026, 11, 14))
    _m, doctor = doctor_at(w.county)

    page = doctor.get(reverse("ehr:patient", args=[w.patient.uuid]), {"kind": "imaging"})

    html = page.content.decode()
    (entry,) = re.findall(r'<li class="card xt-ehr-entry".*?</li>', html, flags=re.S)
    assert "影像" in entry and "2026-11-14" in entry and "中牟县医院" in entry
    assert "在阅片器中打开" in entry and 'href="/viewer/' in entry
    assert f'href="/patients/{w.patient.uuid}/#imaging"' in entry


def test_a_test_with_several_values_has_a_trend_with_its_range(w: World) -> None:
    _m, doctor = doctor_at(w.county)

    html = doctor.get(reverse("ehr:patient", args=[w.patient.uuid])).content.decode()

    trends = html[html.index('id="trends"') : html.index("</section>", html.index('id="trends"'))]
    assert "检验趋势" in trends and "葡萄糖" in trends and "参考范围 3.9-6.1" in trends
    (points,) = re.findall(r'<polyline points="([^"]+)"', trends)
    assert len(points.split()) == 3
    assert len(re.findall(r'class="flagged"', trends)) == 2  # the high and the low
    assert '<rect x="0"' in trends  # the reference band
    values = re.findall(r"<tr><td[^>]*>([^<]+)</td>\s*<td[^>]*><span[^>]*>([^<]+)</span>", trends)
    assert [(day[:10], value) for day, value in values] == [
        ("2026-11-10", "3.1"), ("2026-11-05", "8.4"), ("2026-11-02", "5.2"),
    ]  # fmt: skip
    # Each result of the trend leads to it.
    assert html.count('href="#trend-') == 3


def test_a_single_value_has_no_trend(w: World) -> None:
    _m, doctor = doctor_at(w.county)
    html = doctor.get(reverse("ehr:patient", args=[w.patient.uuid]),
                      {"institution": w.city.pk}).content.decode()  # fmt: skip
    assert 'id="trends"' not in html
    assert 'href="#trend-' not in html


def test_the_page_costs_the_same_statements_however_long_the_record(w: World) -> None:
    _studies(w, dt.date(2026, 11, 14))
    _m, doctor = doctor_at(w.county)
    url = reverse("ehr:patient", args=[w.patient.uuid])
    doctor.get(url)  # the session's first request warms what it caches
    with statements_counted() as few:
        assert doctor.get(url).status_code == 200

    _more_results(w, 60)
    _studies(w, dt.date(2026, 8, 1), dt.date(2026, 8, 2))
    with statements_counted() as many:
        answer = doctor.get(url, {"page": "2"})
    assert answer.status_code == 200
    assert len(many) == len(few), many.listing()
    assert len(few) <= 20, few.listing()  # 10 of them the page's chrome


def test_the_statement_count_is_fixed_for_a_filtered_page(
    w: World, django_assert_num_queries: Any
) -> None:
    _more_results(w, 40)
    _m, doctor = doctor_at(w.county)
    url = reverse("ehr:patient", args=[w.patient.uuid])
    filters = {"kind": "observation", "institution": str(w.county.pk), "since": "2026-09-01"}
    doctor.get(url)
    with CaptureQueriesContext(connection) as first:
        doctor.get(url, filters)
    sent = len(first)  # read now: the log it reads is emptied at the next request

    _more_results(w, 30)
    with django_assert_num_queries(sent):
        doctor.get(url, {**filters, "page": "2"})


def test_a_result_its_hospital_withdrew_as_entered_in_error_leaves_the_record(w: World) -> None:
    person = patient_entry(w.county, f"MRN-{w.county.code}", resident_id=w.resident_id)
    withdrawn = glucose(w.county, "R2", {"reference": person["fullUrl"]}, 8.4,
                        "2026-11-05T07:30:00+08:00")  # fmt: skip
    withdrawn["resource"]["status"] = "entered-in-error"
    pushed_ok(w.county_secret, [person, withdrawn])
    _m, doctor = doctor_at(w.county)

    html = doctor.get(reverse("ehr:patient", args=[w.patient.uuid])).content.decode()

    entries = re.findall(r'<li class="card xt-ehr-entry".*?</li>', html, flags=re.S)
    assert len(entries) == 9
    assert "8.4" not in html
    trends = html[html.index('id="trends"') :]
    assert len(re.findall(r"<circle ", trends)) == 2  # the two results that stand


def test_a_long_trend_draws_its_latest_values_and_says_how_many_there_are(w: World) -> None:
    _more_results(w, 40)
    _m, doctor = doctor_at(w.county)

    html = doctor.get(reverse("ehr:patient", args=[w.patient.uuid])).content.decode()

    trends = html[html.index('id="trends"') : html.index("</section>", html.index('id="trends"'))]
    assert len(re.findall(r"<circle ", trends)) == 30
    assert "43 个结果" in trends and "显示最近 30 个" in trends
    # The newest first in the table: the city hospital's low result of 11-10.
    first_row = re.search(r"<tbody>\s*<tr><td[^>]*>([^<]+)</td>", trends)
    assert first_row is not None and first_row.group(1).startswith("2026-11-10")
