"""The pages a user walks through: the up-referral form with its slot picker, the desk's
incoming list and arrivals (check-in by number), the detail page's actions down to the
follow-up visit, with the originating doctor seeing each step."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.referrals.models import Referral, ReferralCriterion

from .world import REQUEST, World, member

pytestmark = pytest.mark.django_db


def _client(actor: Actor) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def _refer(world: World, client: Client, **extra: str) -> Any:
    slot = world.slot(capacity=2)
    data = {
        **REQUEST,
        "kind": "outpatient",
        "urgency": "routine",
        "receiving_institution": str(world.hospital.pk),
        "slot": str(slot.uuid),
        **extra,
    }
    return client.post(f"/referrals/new/?patient={world.patient.uuid}", data)


def test_the_patient_page_offers_the_referral_button(world: World) -> None:
    page = _client(world.sender).get(f"/patients/{world.patient.uuid}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/referrals/new/?patient={world.patient.uuid}" in html
    assert "双向转诊" in html and "发起转诊" in html


def test_the_form_offers_linked_institutions_and_their_slots(world: World) -> None:
    client = _client(world.sender)
    page = client.get(f"/referrals/new/?patient={world.patient.uuid}")
    html = page.content.decode()
    assert page.status_code == 200
    assert world.hospital.name in html and world.outsider.name not in html
    # A searchable picker of the partners, each named with its level.
    refer_to = html.split('name="receiving_institution"')[1].split("</select>")[0]
    assert "data-search" in refer_to.split(">")[0]
    assert f'<option value="{world.hospital.pk}">{world.hospital.name} · 省级</option>' in refer_to
    assert world.township.name not in refer_to  # a lower institution takes no referral up
    slot = world.slot()
    picker = client.get(
        "/referrals/new/slots/",
        {"receiving_institution": str(world.hospital.pk), "kind": "outpatient"},
        HTTP_HX_REQUEST="true",
    )
    assert str(slot.uuid) in picker.content.decode()


def test_sending_a_referral_from_the_form(world: World) -> None:
    answer = _refer(world, _client(world.sender))
    r = Referral.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/referrals/{r.uuid}/"
    assert r.status == "requested"


def test_a_bad_form_shows_the_errors_and_keeps_nothing(world: World) -> None:
    answer = _refer(world, _client(world.sender), diagnosis_code="胸痛", slot="")
    assert answer.status_code == 200
    assert not Referral.objects.exists()
    assert "ICD-10" in answer.content.decode()


def test_criteria_not_met_shows_the_warning(world: World) -> None:
    ReferralCriterion.objects.create(disease_group="肿瘤", icd_from="C00", icd_to="C97")
    answer = _refer(world, _client(world.sender))
    assert answer.status_code == 200
    assert "不符合该诊断及本机构级别的转诊标准" in answer.content.decode()
    assert not Referral.objects.exists()
    answer = _refer(world, _client(world.sender), justification="基层无法确诊")
    assert answer.status_code == 302


def test_the_whole_loop_through_the_pages(world: World) -> None:
    sender, desk = _client(world.sender), _client(world.desk)
    _refer(world, sender)
    r = Referral.objects.get()
    assert r.number in desk.get("/referrals/incoming/").content.decode()
    assert desk.post(f"/referrals/{r.uuid}/act/accept/").status_code == 302
    # The slot is now, so it is on today's arrivals list at any hour of the day (half an
    # hour ahead would fall on tomorrow after 23:30 in Beijing).
    Referral.objects.filter(pk=r.pk).update(slot_start=timezone.now())
    assert r.number in desk.get("/referrals/arrivals/").content.decode()
    desk.post("/referrals/arrivals/", {"payload": f"XIETONG {r.number}"})
    r.refresh_from_db()
    assert r.status == "arrived"
    doctor = _client(world.doctor)
    doctor.post(
        f"/referrals/{r.uuid}/act/treatment_summary/",
        {"summary": "支架植入术后", "discharge_diagnosis": "急性冠脉综合征"},
    )
    page = doctor.get(f"/referrals/{r.uuid}/")
    assert str(world.county.pk) in page.content.decode()  # offered as the down target
    today = timezone.localdate().isoformat()
    doctor.post(
        f"/referrals/{r.uuid}/act/down_refer/",
        {
            "down_institution": world.county.pk,
            "instructions": "低盐饮食",
            "medications": "阿司匹林肠溶片, 100 mg, 每日一次",
            "follow_up_dates": today,
        },
    )
    r.refresh_from_db()
    assert r.status == "down_requested"
    sender.post(f"/referrals/{r.uuid}/act/down_accept/")
    follow_up = r.follow_ups.get()
    sender.post(
        f"/referrals/{r.uuid}/act/follow_up/", {"follow_up": follow_up.pk, "note": "血压平稳"}
    )
    follow_up.refresh_from_db()
    assert follow_up.note == "血压平稳"
    html = sender.get(f"/referrals/{r.uuid}/").content.decode()
    assert "支架植入术后" in html and "血压平稳" in html and "阿司匹林肠溶片" in html


def test_a_refused_action_is_told_and_changes_nothing(world: World) -> None:
    r = world.to("accepted")
    answer = _client(world.desk).post(f"/referrals/{r.uuid}/act/accept/", follow=True)
    assert answer.status_code == 200
    r.refresh_from_db()
    assert r.status == "accepted"


def test_outsiders_get_404(world: World) -> None:
    r = world.request()
    outsider = _client(member(world.outsider, "referral_desk"))
    assert outsider.get(f"/referrals/{r.uuid}/").status_code == 404
    assert outsider.post(f"/referrals/{r.uuid}/act/accept/").status_code == 404
    assert outsider.get(f"/referrals/{r.uuid}/slip.pdf").status_code == 404


def test_lists_filter_and_answer_htmx(world: World) -> None:
    r = world.request()
    world.to("declined")
    client = _client(world.sender)
    rows = client.get("/referrals/", {"status": "requested"}, HTTP_HX_REQUEST="true")
    html = rows.content.decode()
    assert r.number in html and "<html" not in html
    assert html.count('href="/referrals/') == 1


def test_home_cards_for_the_desk_and_the_lower_institution(world: World) -> None:
    world.request(urgency="emergency")
    home = _client(world.desk).get("/").content.decode()
    assert "/referrals/incoming/?status=requested" in home
    world.to("follow_up")
    home = _client(world.sender).get("/").content.decode()
    assert "/referrals/down/" in home


def test_supervisors_see_the_count_outside_the_criteria(world: World) -> None:
    ReferralCriterion.objects.create(disease_group="肿瘤", icd_from="C00", icd_to="C97")
    world.request(justification="基层无法确诊")
    home = _client(member(world.county, "supervisor")).get("/").content.decode()
    assert "不符合转诊标准的转诊" in home and f"{world.county.name} 1" in home


def test_the_timeline_names_people_as_colleagues_know_them(world: World) -> None:
    # By the name they go by, never by the username they sign in with.
    User.objects.filter(pk=world.sender.user_id).update(display_name="王建国")
    r = _refer(world, _client(world.sender))
    assert r.status_code == 302
    referral = Referral.objects.get()
    page = _client(world.desk).get(f"/referrals/{referral.uuid}/").content.decode()
    assert "王建国" in page
    assert world.sender.username not in page


def test_the_lists_sort_by_appointment_either_way(world: World) -> None:
    later = world.request(slot=world.slot(in_hours=72))
    sooner = world.request(slot=world.slot(in_hours=26))
    client = _client(world.sender)
    html = client.get("/referrals/", {"sort": "appointment"}).content.decode()
    assert html.index(sooner.number) < html.index(later.number)
    assert 'aria-sort="ascending"><a href="?sort=-appointment"' in html
    html = client.get("/referrals/", {"sort": "-appointment"}).content.decode()
    assert html.index(later.number) < html.index(sooner.number)


def _diagnosis_picker(html: str) -> str:
    return html.split('name="diagnosis_code"')[1].split("</select>")[0]


def test_the_diagnosis_is_picked_from_the_code_list(world: World, diagnosis_codes: None) -> None:
    client = _client(world.sender)
    html = client.get(f"/referrals/new/?patient={world.patient.uuid}").content.decode()
    opening = _diagnosis_picker(html).split(">")[0]
    assert 'data-search-url="/directory/options/diagnoses/"' in opening
    assert 'data-fill-target="diagnosis_text"' in opening
    # Refused for another reason, the form names the chosen code as the list does.
    answer = _refer(world, client, diagnosis_code="I21.4", reason="")
    assert answer.status_code == 200 and not Referral.objects.exists()
    picker = _diagnosis_picker(answer.content.decode())
    assert '<option value="I21.4" selected>I21.4 急性心内膜下心肌梗死</option>' in picker
    # A well-shaped code the list lacks is still what the service takes.
    assert _refer(world, client, diagnosis_code="I21.401").status_code == 302
    assert Referral.objects.get().diagnosis_code == "I21.401"


def test_the_handed_down_card_counts_what_its_text_says(world: World) -> None:
    world.to("down_requested")
    home = _client(world.sender).get("/").content.decode()
    card = home[home.index("下转至本院的患者") :][:600]
    assert "1 例下转待接收，0 次随访到期。" in card
    assert (
        '<span class="badge rounded-pill ms-auto count text-bg-primary">1</span>'
        in home[home.index("下转至本院的患者") - 10 : home.index("下转至本院的患者") + 200]
    )
