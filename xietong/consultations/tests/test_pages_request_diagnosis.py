"""The request form's preliminary diagnosis: an ICD-10 code picked from the code list as the
doctor types, the chosen code named again when the form comes back, and any code the
services accept still taken."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.consultations.models import Consultation

from .pages_request import sign_in, text
from .test_pages_request_create import FILLED
from .world import World

pytestmark = pytest.mark.django_db


def _picker(page: str) -> str:
    """The diagnosis code's select, from its opening tag to its end."""
    return page.split('name="diagnosis_code"')[1].split("</select>")[0]


def test_the_diagnosis_code_is_searched_in_the_code_list(
    client: Client, world: World, diagnosis_codes: None
) -> None:
    sign_in(client, world.requester, "zh-hans")
    page = text(client.get(reverse("consultations:create") + f"?patient={world.patient.uuid}"))
    picker = _picker(page)
    opening = picker.split(">")[0]
    assert "data-search" in opening
    assert f'data-search-url="{reverse("directory:options_diagnoses")}"' in opening
    assert 'data-fill-target="diagnosis_text"' in opening
    # Nothing chosen yet: only the empty choice, the list is asked for as the doctor types.
    assert picker.count("<option") == 1


def test_a_chosen_code_comes_back_named_from_the_list(
    client: Client, world: World, diagnosis_codes: None
) -> None:
    sign_in(client, world.requester, "zh-hans")
    url = reverse("consultations:create") + f"?patient={world.patient.uuid}"
    response = client.post(url, {**FILLED, "diagnosis_code": "I21.4", "action": "save"})
    assert response.status_code == 302
    c = Consultation.objects.get()
    assert c.diagnosis_code == "I21.4"
    picker = _picker(text(client.get(reverse("consultations:edit", args=[c.uuid]))))
    assert '<option value="I21.4" selected>I21.4 急性心内膜下心肌梗死</option>' in picker


def test_a_well_shaped_code_outside_the_list_is_still_taken(
    client: Client, world: World, diagnosis_codes: None
) -> None:
    # A province's clinical extension of a WHO code: the services take any code of this shape.
    sign_in(client, world.requester, "zh-hans")
    url = reverse("consultations:create") + f"?patient={world.patient.uuid}"
    response = client.post(url, {**FILLED, "diagnosis_code": "i21.401", "action": "save"})
    assert response.status_code == 302
    c = Consultation.objects.get()
    assert c.diagnosis_code == "I21.401"
    picker = _picker(text(client.get(reverse("consultations:edit", args=[c.uuid]))))
    assert '<option value="I21.401" selected>I21.401</option>' in picker


def test_a_refused_code_stays_chosen_beside_its_error(
    client: Client, world: World, diagnosis_codes: None
) -> None:
    sign_in(client, world.requester, "zh-hans")
    url = reverse("consultations:create") + f"?patient={world.patient.uuid}"
    response = client.post(url, {**FILLED, "diagnosis_code": "胸痛", "action": "save"})
    assert response.status_code == 422
    page = text(response)
    assert '<option value="胸痛" selected>胸痛</option>' in _picker(page)
    # The error under the field, not only in the summary above the form.
    beside = page.split('name="diagnosis_code"')[1].split('class="xt-field')[0]
    assert "请输入 ICD-10 编码，例如 I21.9。" in beside
    assert not Consultation.objects.exists()
