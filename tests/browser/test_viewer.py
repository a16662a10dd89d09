"""The OHIF viewer in Chromium against the real server: a county doctor opens the patient's
CT from the patient's page, the expert of an imaging consultation opens it from the
workspace, and each sees the image in the viewport (its canvas read back: not blank, more
than one grey level); the way back leads to the page they came from. A doctor of another
hospital given the same link sees no study. Nothing is fetched from outside our server."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in
from xietong.accounts.models import User
from xietong.consultations import services as svc
from xietong.consultations.models import Consultation, Kind
from xietong.consultations.tests.world import World, make_world, member
from xietong.core.actor import Actor
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.imaging.models import Study
from xietong.imaging.services import instances_store
from xietong.imaging.synthetic import Person, dataset_bytes, study_make
from xietong.imaging.viewer import viewer_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
T = TypeVar("T")

# What the viewport's canvas shows: how many grey levels, how many pixels lighter than black
# (every 7th pixel read, enough to tell an image from an empty or one-colour canvas).
CANVAS_READ = """() => {
  const canvas = document.querySelector('.cornerstone-canvas');
  if (!canvas || !canvas.width || !canvas.height) return null;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const levels = new Set();
  let lit = 0;
  for (let i = 0; i < data.length; i += 4 * 7) {
    levels.add(data[i]);
    if (data[i] > 16) lit++;
  }
  return {levels: levels.size, lit: lit};
}"""


def _username(actor: Actor) -> str:
    return str(User.objects.get(pk=actor.user_id).username)


def _installed() -> None:
    if not (Path(settings.XT_VIEWER_DIST) / "index.html").is_file():
        pytest.fail("the OHIF viewer is not installed: ./xt installs it (frontend/viewer)")


def _outside(requests: list[str], base: str) -> list[str]:
    here = urlsplit(base).netloc
    return [u for u in requests if u.startswith("http") and urlsplit(u).netloc != here]


def _image_shown(page: Any) -> dict[str, int]:
    page.wait_for_function(
        f"() => {{ const r = ({CANVAS_READ})(); return r && r.levels > 1 && r.lit > 100; }}",
        timeout=45_000,
    )
    shown = cast(dict[str, int], page.evaluate(CANVAS_READ))
    return shown


def _open(page: Any, start: str, width: int, shot: str) -> dict[str, int]:
    page.set_viewport_size({"width": width, "height": 800 if width > 500 else 844})
    page.goto(start)
    page.locator("a[data-open-viewer]").first.click()
    expect(page).to_have_url(re.compile(r"/viewer/viewer\?StudyInstanceUIDs="))
    shown = _image_shown(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"viewer-{shot}-{width}.png"))
    return shown


def _imaging_consultation() -> tuple[World, Consultation, str, Actor]:
    """A county patient's CT, in an imaging consultation assigned to the expert; and a
    doctor of another hospital."""
    w = make_world()
    datasets = study_make(person=Person("MRN-V", w.patient.name), modality="CT",
                          instances_per_series=3, rows=128, cols=128)  # fmt: skip
    instances_store(actor=w.requester, institution_id=w.county.pk, route="stow",
                    items=[dataset_bytes(d) for d in datasets])  # fmt: skip
    uid = datasets[0].StudyInstanceUID
    study = Study.objects.get(study_instance_uid=uid)
    Study.objects.filter(pk=study.pk).update(patient=w.patient)
    c = w.to("draft", kind=Kind.IMAGING)
    svc.consultation_studies_set(actor=w.requester, consultation=c, studies=[study.uuid])
    svc.consultation_submit(actor=w.requester, consultation=c)
    svc.consultation_qc_pass(actor=w.qc, consultation=c)
    svc.consultation_triage_assign(actor=w.coordinator, consultation=c, experts=[w.expert])
    elsewhere = cast(Institution, InstitutionFactory(level="county", name="丙县人民医院"))
    return w, c, uid, member(elsewhere, "requester")


def _off_the_browser_thread(build: Callable[[], T]) -> T:
    """Playwright's event loop runs in the test's thread, and the consultation's events
    publish to the channel layer synchronously: the world is built in a thread of its own."""

    def run() -> T:
        try:
            return build()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_a_doctor_and_the_expert_see_the_study_a_stranger_sees_nothing(
    new_page: Any, server_url: str
) -> None:
    _installed()
    w, c, uid, stranger_actor = _off_the_browser_thread(_imaging_consultation)

    requests: list[str] = []

    # The county doctor, from the patient's page, on a laptop and on a phone.
    doctor = new_page()
    doctor.on("request", lambda r: requests.append(r.url))
    sign_in(doctor, _username(w.requester))
    patient_page = f"/patients/{w.patient.uuid}/"
    for width in (1366, 390):
        shown = _open(doctor, patient_page, width, "patient")
        assert shown["levels"] > 1 and shown["lit"] > 100
        # The image has most of the width, on a phone too (the series list starts closed).
        doctor.wait_for_function(
            "() => document.querySelector('.cornerstone-canvas')"
            ".getBoundingClientRect().width > window.innerWidth * 0.6"
        )
        back = doctor.locator("a[data-xt-back]")
        expect(back).to_be_visible()
        back.click()
        expect(doctor).to_have_url(server_url + patient_page)

    # The viewer's many requests for the study are one recorded read of this session.
    reads = AuditEvent.objects.filter(
        action="imaging_study.read", outcome=0, patient_id=w.patient.pk
    )
    assert reads.count() == 1

    # The expert, from the consultation's workspace.
    expert = new_page()
    expert.on("request", lambda r: requests.append(r.url))
    sign_in(expert, _username(w.expert_actor))
    workspace = f"/consultations/{c.uuid}/"
    _open(expert, workspace, 1366, "workspace")
    expert.locator("a[data-xt-back]").click()
    expect(expert).to_have_url(server_url + workspace)

    # A doctor of another hospital, given the same link, sees the viewer and no study.
    stranger = new_page()
    stranger.set_viewport_size({"width": 1366, "height": 800})
    stranger.on("request", lambda r: requests.append(r.url))
    sign_in(stranger, _username(stranger_actor))
    with stranger.expect_response(lambda r: "/dicomweb/" in r.url, timeout=30_000):
        stranger.goto(viewer_url(uid))
    stranger.wait_for_timeout(3000)
    shown = stranger.evaluate(CANVAS_READ)
    assert shown is None or shown["lit"] == 0, shown
    assert w.patient.name not in stranger.locator("body").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    stranger.screenshot(path=str(ARTIFACTS / "viewer-stranger-1366.png"))

    assert not _outside(requests, server_url), _outside(requests, server_url)[:5]


def test_the_experts_measurement_comes_back_as_a_report_with_the_study(
    new_page: Any, server_url: str
) -> None:
    """The expert measures a length in the viewer, tracks it and saves it as a report (OHIF's
    "Create SR", 保存为结构化报告 in Chinese): it reaches our STOW-RS with the session's token,
    and the workspace then shows the report with the study."""
    _installed()
    w, c, uid, _stranger = _off_the_browser_thread(_imaging_consultation)
    expert = new_page()
    expert.set_viewport_size({"width": 1366, "height": 800})
    sign_in(expert, _username(w.expert_actor))
    workspace = f"/consultations/{c.uuid}/"
    expert.goto(workspace)
    expect(expert.locator(f'tr[data-study="{uid}"] [data-reports]')).to_have_count(0)
    expert.locator("a[data-open-viewer]").first.click()
    _image_shown(expert)

    expert.locator("[data-cy=Length]").click()
    box = expert.locator(".cornerstone-canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # "Track measurements for this series?" follows the first line drawn. A drag made while
    # the viewport is still binding its tools draws nothing, as it would for a person: then
    # they draw it again.
    track = expert.get_by_role("button", name="是", exact=True)
    for attempt in range(3):
        expert.mouse.move(x - 100, y - 40 + attempt * 20)
        expert.mouse.down()
        expert.mouse.move(x + 100, y + 40 + attempt * 20, steps=12)
        expert.mouse.up()
        try:
            track.wait_for(timeout=4000)
            break
        except PlaywrightTimeout:
            continue
    track.click()
    expert.locator("[data-cy=trackedMeasurements-btn]").click()
    expert.get_by_text("保存为结构化报告").click()
    expert.get_by_placeholder("Report name").fill("测量 右肺结节")
    with expert.expect_response(
        lambda r: r.request.method == "POST" and "/dicomweb/studies" in r.url
    ) as stored_answer:
        expert.get_by_role("button", name="Save").click()
    assert stored_answer.value.status == 200
    ARTIFACTS.mkdir(exist_ok=True)
    expert.screenshot(path=str(ARTIFACTS / "viewer-report-saved-1366.png"))

    expert.locator("a[data-xt-back]").click()
    expect(expert).to_have_url(server_url + workspace)
    expect(expert.locator(f'tr[data-study="{uid}"] [data-reports]')).to_have_text("1 份测量报告")
    study = Study.objects.get(study_instance_uid=uid)
    assert study.modalities == "/CT/SR/" and study.patient_id == w.patient.pk
