"""The OHIF viewer under /viewer/: its page asks to sign in, its configuration points at our
DICOMweb, its files come with the caching and the policy the viewer needs (and the rest of
the site keeps its own), and the pages' studies open in it. The files are those of a small
build written here, so that what is served is known exactly."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client, override_settings
from django.urls import reverse

from xietong.core.models import AuditEvent
from xietong.imaging.viewer import viewer_url

from .world import a_patient, a_sender, a_study, person_of, stored

pytestmark = pytest.mark.django_db

BUNDLE = "app.bundle.0123456789abcdef.js"
CHUNK = "2493.bundle.c4af70e46357151f.js"
CODEC = "5130ccb17e3f3f5b.wasm"


@pytest.fixture
def build(tmp_path: Path):
    """A build folder shaped like @ohif/app's dist/."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(
        f'<html><script>window.PUBLIC_URL="/"</script><script defer src="/{BUNDLE}"></script>'
    )
    (dist / "app-config.js").write_text("window.config = {dataSources: ['elsewhere']};")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (dist / BUNDLE).write_text("console.log('viewer');" * 100)
    (dist / CHUNK).write_text("chunk();")
    (dist / CODEC).write_bytes(b"\0asm\1\0\0\0")
    (dist / "app.bundle.css").write_text("body{}")
    (dist / "assets" / "favicon.ico").write_bytes(b"icon")
    with override_settings(XT_VIEWER_DIST=dist):
        yield dist


@pytest.fixture
def doctor():
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution)
    browser = Client()
    browser.force_login(sender.membership.user)
    return sender, patient, browser


def _policy(answer) -> dict[str, str]:
    return {
        d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else ""
        for d in answer["Content-Security-Policy"].split("; ")
    }


def test_the_viewer_asks_to_sign_in_and_comes_back_to_the_study(build):
    url = viewer_url("1.2.3.4")
    answer = Client().get(url)
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("accounts:login"))
    assert "StudyInstanceUIDs" in answer["Location"]  # back to the same study after it


def test_the_page_loads_the_build_under_viewer_with_its_own_policy(build, doctor):
    _sender, _patient, browser = doctor
    answer = browser.get(viewer_url("1.2.3.4"))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'<script defer src="/viewer/{BUNDLE}"></script>' in page
    assert '<script src="/viewer/app-config.js"></script>' in page
    # No inline script, and nothing of the build's page (it points at the site's root).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "PUBLIC_URL" not in page
    policy = _policy(answer)
    assert (
        "'wasm-unsafe-eval'" in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    )
    assert policy["worker-src"] == "'self' blob:"
    assert all("http" not in value for value in policy.values())  # no other server
    # OHIF's language is ours; the token it must send when it stores is in the cookie.
    assert answer.cookies["i18next"].value == "zh"
    assert answer.cookies["i18next"]["path"] == "/viewer/"
    assert "csrftoken" in answer.cookies
    # Each of OHIF's routes is the same page.
    assert browser.get("/viewer/viewer").content.decode() == page.replace(
        answer.cookies["csrftoken"].value, browser.cookies["csrftoken"].value
    )


def test_the_configuration_names_our_dicomweb_and_the_way_back(build, doctor):
    _sender, _patient, browser = doctor
    answer = browser.get(reverse("viewer:config"))
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/javascript")
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]
    body = answer.content.decode()
    said = json.loads(body.removeprefix("window.xietongViewer = ").rstrip().removesuffix(";"))
    assert said["dicomweb"] == "http://testserver/dicomweb"
    assert said["base"] == "/viewer/" and said["home"] == "/"
    assert said["name"] == "协同影像" and said["language"] == "zh"
    assert said["csrfHeader"] == "X-CSRFToken"
    assert "elsewhere" not in body  # the build's own configuration is never served


def test_files_are_served_with_their_type_caching_and_the_viewers_policy(build, doctor):
    _sender, _patient, browser = doctor
    chunk = browser.get(f"/viewer/{CHUNK}")
    assert chunk.status_code == 200 and b"".join(chunk.streaming_content) == b"chunk();"
    assert chunk["Content-Type"] == "text/javascript"
    assert chunk["Cache-Control"] == "public, max-age=31536000, immutable"
    # A worker's script brings its policy with it: the viewer's, not the site's.
    assert "'wasm-unsafe-eval'" in _policy(chunk)["script-src"]
    codec = browser.get(f"/viewer/{CODEC}")
    assert codec["Content-Type"] == "application/wasm"
    assert codec["Cache-Control"].endswith("immutable")
    # A name without a hash is checked again each time, and answered 304 when unchanged.
    css = browser.get("/viewer/app.bundle.css")
    assert css["Cache-Control"] == "no-cache" and css["Content-Type"].startswith("text/css")
    again = browser.get("/viewer/app.bundle.css", HTTP_IF_MODIFIED_SINCE=css["Last-Modified"])
    assert again.status_code == 304
    assert browser.get("/viewer/assets/favicon.ico").status_code == 200
    # Without a session too: the program holds no patient data.
    assert Client().get(f"/viewer/{CHUNK}").status_code == 200


def test_under_asgi_a_file_is_sent_in_blocks(build):
    """uvicorn serves the demo: the file is read in blocks, not whole into memory first."""
    (build / BUNDLE).write_bytes(b"x" * (600 * 1024 + 7))

    async def fetch() -> tuple[dict[str, str], list[bytes]]:
        answer = await AsyncClient().get(f"/viewer/{BUNDLE}")
        blocks = [block async for block in answer.streaming_content]  # type: ignore[attr-defined]
        return dict(answer.items()), blocks

    headers, blocks = async_to_sync(fetch)()
    assert [len(b) for b in blocks] == [256 * 1024, 256 * 1024, 88 * 1024 + 7]
    assert headers["Content-Length"] == str(600 * 1024 + 7)
    assert headers["Cache-Control"].endswith("immutable")
    assert "'wasm-unsafe-eval'" in headers["Content-Security-Policy"]


def test_the_gzip_made_at_install_is_sent_to_a_browser_that_takes_it(build, doctor):
    _sender, _patient, browser = doctor
    original = (build / BUNDLE).read_bytes()
    (build / f"{BUNDLE}.gz").write_bytes(gzip.compress(original))
    zipped = browser.get(f"/viewer/{BUNDLE}", HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(b"".join(zipped.streaming_content)) == original
    plain = browser.get(f"/viewer/{BUNDLE}")
    assert not plain.has_header("Content-Encoding")
    assert b"".join(plain.streaming_content) == original
    # A gzip older than its file (a reinstall that did not make it again) is not used.
    os.utime(build / f"{BUNDLE}.gz", (1, 1))
    stale = browser.get(f"/viewer/{BUNDLE}", HTTP_ACCEPT_ENCODING="gzip")
    assert not stale.has_header("Content-Encoding")
    assert browser.get(f"/viewer/{BUNDLE}.gz").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["index.html", "sw.js", "missing.js", "assets/missing.png", "..%2Fdist%2Findex.html",
     "assets/../../secret.txt", ".hidden"],
)  # fmt: skip
def test_what_the_build_should_not_serve_is_not_found(build, doctor, path):
    (build.parent / "secret.txt").write_text("not-for-browsers")
    (build / ".hidden").write_text("not-for-browsers")
    _sender, _patient, browser = doctor
    answer = browser.get(f"/viewer/{path}")
    assert answer.status_code in (404, 400)
    assert b"not-for-browsers" not in b"".join(answer) and b"PUBLIC_URL" not in b"".join(answer)


def test_the_rest_of_the_site_keeps_its_policy(build, doctor):
    _sender, patient, browser = doctor
    page = browser.get(reverse("patients:detail", args=[patient.uuid]))
    policy = _policy(page)
    assert policy["script-src"] == "'self'" and "worker-src" not in policy
    assert "wasm" not in page["Content-Security-Policy"]
    assert "unsafe-inline" not in page["Content-Security-Policy"]


def test_without_the_build_the_page_says_so(tmp_path, doctor):
    _sender, _patient, browser = doctor
    with override_settings(XT_VIEWER_DIST=tmp_path / "none"):
        answer = browser.get(viewer_url("1.2.3.4"))
    assert answer.status_code == 404


def test_the_patients_page_opens_each_study_in_the_viewer(build, doctor):
    sender, patient, browser = doctor
    datasets = a_study(person_of(patient), modality="CT")
    stored(sender, datasets)
    page = browser.get(reverse("patients:detail", args=[patient.uuid])).content.decode()
    uid = datasets[0].StudyInstanceUID
    link = f'href="/viewer/viewer?StudyInstanceUIDs={uid}" data-open-viewer'
    assert link in page and "在阅片器中打开" in page


def test_the_viewers_many_requests_for_a_study_are_one_recorded_read(build, doctor):
    """OHIF asks for a study's metadata, each series, and each frame: the session's
    retrievals of the study are recorded once; a stranger's link gets nothing."""
    sender, patient, browser = doctor
    datasets = a_study(person_of(patient), modality="CT", series_count=2)
    stored(sender, datasets)
    study = datasets[0].StudyInstanceUID
    browser.get(viewer_url(study))
    before = AuditEvent.objects.filter(action="imaging_study.read").count()
    urls = [f"/dicomweb/studies/{study}/series", f"/dicomweb/studies/{study}/metadata"]
    for ds in datasets:
        base = f"/dicomweb/studies/{study}/series/{ds.SeriesInstanceUID}"
        urls += [f"{base}/metadata", f"{base}/instances/{ds.SOPInstanceUID}/frames/1"]
    for url in urls:
        assert browser.get(url).status_code == 200, url
    reads = AuditEvent.objects.filter(action="imaging_study.read")
    assert reads.count() == before + 1
    assert reads.last().patient_id == patient.pk  # type: ignore[union-attr]

    stranger = Client()
    stranger.force_login(a_sender(role="requester").membership.user)
    assert stranger.get(viewer_url(study)).status_code == 200  # the program, no data
    for url in urls:
        assert stranger.get(url).status_code == 404, url
    assert stranger.get("/dicomweb/studies", {"StudyInstanceUID": study}).json() == []
