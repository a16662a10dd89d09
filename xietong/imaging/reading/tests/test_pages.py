"""The pages as their users see them: the button on the study's row, the request form,
the reading centre's worklist (filters, overdue, the claim), and the request's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xietong.accounts.models import Membership
from xietong.core.models import AuditEvent
from xietong.imaging.reading.models import ReadingRequest, Status

from .world import World, world_build

pytestmark = pytest.mark.django_db


def _client(membership: Membership) -> Client:
    c = Client()
    c.force_login(membership.user)
    return c


def test_the_study_row_offers_a_reading_and_the_form_sends_it() -> None:
    w = world_build()
    page = _client(w.requester_m).get(reverse("patients:detail", args=[w.patient.uuid]))
    url = reverse("imaging:reading_new", args=[w.study.study_instance_uid])
    assert url in page.content.decode() and "申请阅片" in page.content.decode()
    form = _client(w.requester_m).get(url)
    assert form.status_code == 200 and "临床问题" in form.content.decode()
    bad = _client(w.requester_m).post(url, {"urgency": "urgent", "clinical_question": ""})
    assert bad.status_code == 422 and not ReadingRequest.objects.exists()
    sent = _client(w.requester_m).post(
        url, {"urgency": "urgent", "clinical_question": "咳嗽两周，排除肺部占位"}
    )
    r = ReadingRequest.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("imaging:reading", args=[r.uuid])
    shown = _client(w.requester_m).get(sent["Location"]).content.decode()
    assert r.number in shown and "省影像诊断中心" in shown and "取消申请" in shown


def test_a_reader_does_not_get_the_button_nor_the_form() -> None:
    w = world_build()
    url = reverse("imaging:reading_new", args=[w.study.study_instance_uid])
    assert _client(w.reader_m).get(url).status_code == 403
    assert _client(w.stranger_m).get(url).status_code == 404


def _aged(r: ReadingRequest, hours: float) -> None:
    ReadingRequest.objects.filter(pk=r.pk).update(
        created_at=r.created_at - dt.timedelta(hours=hours)
    )


def _three(w: World) -> list[ReadingRequest]:
    urgent = w.request("urgent")
    routine = ReadingRequest.objects.create(
        number="YX-20260101-0001", study=w.another_study(), patient=w.patient,
        requesting_institution=w.hospital, requesting_user_id=w.requester.user_id,
        centre=w.centre, urgency="routine", clinical_question="复查", modalities="/MR/",
        body_part="HEAD", status=Status.REQUESTED,
    )  # fmt: skip
    emergency = ReadingRequest.objects.create(
        number="YX-20260101-0002", study=w.another_study(), patient=w.patient,
        requesting_institution=w.hospital, requesting_user_id=w.requester.user_id,
        centre=w.centre, urgency="emergency", clinical_question="外伤", modalities="/CT/",
        body_part="HEAD", status=Status.REQUESTED,
    )  # fmt: skip
    return [urgent, routine, emergency]


def test_the_worklist_puts_the_most_urgent_first_and_flags_what_waited_too_long() -> None:
    w = world_build()
    urgent, routine, emergency = _three(w)
    _aged(urgent, 3)  # urgent: 2 hours allowed
    _aged(routine, 3)  # routine: 24 hours allowed
    text = _client(w.reader_m).get(reverse("imaging:worklist")).content.decode()
    order = [text.index(r.number) for r in (emergency, urgent, routine)]
    assert order == sorted(order)
    row = text[text.index(urgent.number) : text.index(routine.number)]
    assert "已超时" in row
    assert "已超时" not in text[text.index(routine.number) :]
    assert text.count("data-overdue") == 1
    assert "认领" in text


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"modality": "mr"}, ["routine"]),
        ({"urgency": "emergency"}, ["emergency"]),
        ({"body_part": "head"}, ["routine", "emergency"]),
        ({"waited": "2"}, ["urgent"]),
    ],
)
def test_the_worklist_filters(query: dict[str, str], shown: list[str]) -> None:
    w = world_build()
    rows = dict(zip(["urgent", "routine", "emergency"], _three(w), strict=True))
    _aged(rows["urgent"], 3)
    text = _client(w.reader_m).get(reverse("imaging:worklist"), query).content.decode()
    assert sorted(k for k, r in rows.items() if r.number in text) == sorted(shown)


def test_the_worklist_filters_by_requesting_institution_and_refuses_a_bad_value() -> None:
    w = world_build()
    r = w.request()
    by = {"institution": str(w.hospital.uuid)}
    assert r.number in _client(w.reader_m).get(reverse("imaging:worklist"), by).content.decode()
    other = {"institution": str(w.centre.uuid)}
    assert (
        r.number not in _client(w.reader_m).get(reverse("imaging:worklist"), other).content.decode()
    )
    for query in ({"institution": "x"}, {"waited": "-1"}):
        bad = _client(w.reader_m).get(reverse("imaging:worklist"), query)
        assert bad.status_code == 422
        text = bad.content.decode()
        assert 'class="errorlist' in text and r.number not in text


def test_the_worklist_costs_the_same_queries_for_three_rows_as_for_one() -> None:
    w = world_build()
    w.request()
    client = _client(w.reader_m)
    client.get(reverse("imaging:worklist"))  # sessions, caches warmed
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("imaging:worklist"), HTTP_HX_REQUEST="true")
    _three_more = [w.another_study() for _ in range(2)]
    for s in _three_more:
        ReadingRequest.objects.create(
            number=f"YX-20260101-{s.pk:04d}", study=s, patient=w.patient,
            requesting_institution=w.hospital, requesting_user_id=w.requester.user_id,
            centre=w.centre, urgency="routine", clinical_question="复查", status=Status.REQUESTED,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("imaging:worklist"), HTTP_HX_REQUEST="true")
    assert len(three) == len(one)
    assert len(one) <= 13, [q["sql"] for q in one.captured_queries]


def test_the_worklist_is_recorded_as_one_search_and_the_nav_counts_what_waits() -> None:
    w = world_build()
    w.request()
    before = AuditEvent.objects.filter(action="imaging_reading.search").count()
    text = _client(w.reader_m).get(reverse("imaging:worklist")).content.decode()
    assert AuditEvent.objects.filter(action="imaging_reading.search").count() == before + 1
    assert "阅片工作列表" in text


def test_claim_from_the_worklist_and_the_second_reader_is_told() -> None:
    w = world_build()
    r = w.request()
    url = reverse("imaging:reading_act", args=[r.uuid, "claim"])
    first = _client(w.reader_m).post(url, {"next": "worklist"})
    assert first.status_code == 302
    second = _client(w.other_reader_m)
    answer = second.post(url, {"next": "worklist"}, follow=True)
    assert "无法执行“认领”" in answer.content.decode()
    r.refresh_from_db()
    assert r.reader_id == w.reader.user_id and r.status == Status.READING


def test_another_institution_gets_404_for_the_request_page() -> None:
    w = world_build()
    r = w.request()
    assert _client(w.stranger_m).get(reverse("imaging:reading", args=[r.uuid])).status_code == 404
    act = reverse("imaging:reading_act", args=[r.uuid, "claim"])
    assert _client(w.stranger_m).post(act).status_code == 404
    assert ReadingRequest.objects.get().status == Status.REQUESTED


def test_the_page_listens_for_its_centres_changes() -> None:
    w = world_build()
    text = _client(w.reader_m).get(reverse("imaging:worklist")).content.decode()
    assert 'data-ws="/ws/imaging/worklist/"' in text and "worklist-changed" in text
    r = w.request()
    rows = _client(w.reader_m).get(reverse("imaging:worklist")).content.decode()
    assert r.number in rows and "data-open-viewer" in rows and w.study.study_instance_uid in rows
