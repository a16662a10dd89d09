"""The pickers' options (views_options): the whole expert library and every institution
searched as the user types, for signed-in users only, in a fixed number of queries."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xietong.accounts.tests.factories import make_user
from xietong.directory.models import Department, Expert, Institution
from xietong.directory.tests.factories import (
    DepartmentFactory,
    ExpertFactory,
    InstitutionFactory,
    PractitionerFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

EXPERTS = reverse("directory:options_experts")
INSTITUTIONS = reverse("directory:options_institutions")
REGIONS = reverse("directory:options_regions")
DIAGNOSES = reverse("directory:options_diagnoses")


def _library(size: int) -> tuple[Expert, Department]:
    """`size` experts at a provincial hospital, ranked first, and one more at a county
    hospital with a lower title: the last of the library, beyond its first hundred."""
    provincial = InstitutionFactory(level="provincial", name="省人民医院")
    department = cast(Department, DepartmentFactory(code="T03.01", name="心血管内科"))
    for n in range(size):
        ExpertFactory(
            practitioner=PractitionerFactory(
                name=f"专家{n:03d}", institution=provincial, department=department, title="chief"
            )
        )
    county = InstitutionFactory(level="county", name="甲县人民医院")
    last = ExpertFactory(
        practitioner=PractitionerFactory(
            name="欧阳明远", institution=county, department=department, title="attending"
        )
    )
    return cast(Expert, last), department


def _signed_in(client: Client, institution: Institution | None = None) -> Client:
    client.force_login(make_user("requester", institution=institution or InstitutionFactory()))
    client.cookies["django_language"] = "zh-hans"
    return client


def _options(client: Client, url: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return cast(list[dict[str, Any]], response.json()["options"])


def test_signed_out_callers_get_nothing(client: Client) -> None:
    _library(2)
    for url in (EXPERTS, INSTITUTIONS, REGIONS, DIAGNOSES):
        response = client.get(url, {"q": "人民"})
        assert response.status_code == 401
        assert response.json() == {"options": []}


def test_an_expert_beyond_the_first_hundred_is_found_by_part_of_the_name(client: Client) -> None:
    last, _department = _library(110)
    _signed_in(client)
    # The old picker listed the first hundred of the library; this expert is its last.
    assert len(_options(client, EXPERTS, q="专家")) == 20
    found = _options(client, EXPERTS, q="明远")
    assert found == [
        {
            "value": str(last.practitioner.uuid),
            "text": "欧阳明远 · 主治医师 · 甲县人民医院 · 心血管内科",
        }
    ]


def test_experts_are_found_by_institution_and_department_and_filtered_by_service(
    client: Client,
) -> None:
    last, _department = _library(3)
    county = last.practitioner.institution
    imaging_only = cast(
        Expert,
        ExpertFactory(
            practitioner=PractitionerFactory(name="影像专家", institution=county),
            accepts=["imaging"],
        ),
    )
    ExpertFactory(
        practitioner=PractitionerFactory(name="停诊专家", institution=county), active=False
    )
    _signed_in(client)
    at_county = {o["text"].split(" · ")[0] for o in _options(client, EXPERTS, q="甲县")}
    assert at_county == {"欧阳明远", "影像专家"}  # the inactive expert is never offered
    assert len(_options(client, EXPERTS, q="心血管")) == 4
    consulting = _options(client, EXPERTS, q="甲县", service="consultation")
    assert [o["value"] for o in consulting] == [str(last.practitioner.uuid)]
    assert str(imaging_only.practitioner.uuid) not in str(consulting)
    assert client.get(EXPERTS, {"q": "甲县", "service": "nonsense"}).status_code == 400


def _directory_queries(queries: CaptureQueriesContext) -> int:
    """The request's reads of the directory (the session and the account are read by every
    signed-in request, whatever it asks)."""
    return sum('FROM "directory_' in q["sql"] for q in queries.captured_queries)


def test_the_experts_cost_the_same_queries_for_one_or_twenty(client: Client) -> None:
    _library(30)
    _signed_in(client)
    counts = []
    for q, n in (("明远", 1), ("专家", 20)):
        with CaptureQueriesContext(connection) as queries:
            assert len(_options(client, EXPERTS, q=q)) == n
        counts.append((len(queries), _directory_queries(queries)))
    # The experts' keys in the library's order, then that page with what their text names.
    assert counts[0] == counts[1] and counts[0][1] == 2


def test_institutions_are_found_by_name(client: Client) -> None:
    county = cast(Institution, InstitutionFactory(level="county", name="甲县人民医院"))
    InstitutionFactory(level="provincial", name="省人民医院")
    InstitutionFactory(level="county", name="乙县中医院")
    InstitutionFactory(level="county", name="丙县人民医院", active=False)
    _signed_in(client, county)
    found = _options(client, INSTITUTIONS, q="人民医院")
    assert [o["text"].split(" · ")[0] for o in found] == ["省人民医院", "甲县人民医院"]
    assert found[1]["value"] == str(county.uuid)
    assert found[1]["text"] == f"甲县人民医院 · 县 · {county.region.name}"
    with CaptureQueriesContext(connection) as queries:
        assert len(_options(client, INSTITUTIONS, q="县")) == 2
    assert _directory_queries(queries) == 1  # the institutions with their regions


def test_institutions_are_cut_at_twenty(client: Client) -> None:
    for n in range(25):
        InstitutionFactory(name=f"第{n}卫生院")
    _signed_in(client)
    assert len(_options(client, INSTITUTIONS, q="卫生院")) == 20


def test_only_get(client: Client) -> None:
    _signed_in(client)
    assert client.post(EXPERTS, {"q": "x"}).status_code == 405


def test_diagnoses_are_found_by_the_beginning_of_the_code(
    client: Client, diagnosis_codes: None
) -> None:
    _signed_in(client)
    assert _options(client, DIAGNOSES, q="I21.4") == [
        {"value": "I21.4", "text": "I21.4 急性心内膜下心肌梗死"}
    ]
    # In small letters and without the dot, as a doctor may type it.
    assert [o["value"] for o in _options(client, DIAGNOSES, q="i214")] == ["I21.4"]
    by_category = [o["value"] for o in _options(client, DIAGNOSES, q="I21")]
    assert by_category == ["I21", "I21.0", "I21.1", "I21.2", "I21.3", "I21.4", "I21.9"]
    assert len(_options(client, DIAGNOSES, q="I")) == 20
    assert _options(client, DIAGNOSES, q="") == []


def test_diagnoses_are_found_by_every_word_of_the_chinese_or_english_title(
    client: Client, diagnosis_codes: None
) -> None:
    _signed_in(client)
    assert [o["value"] for o in _options(client, DIAGNOSES, q="糖尿病 肾")] == ["E11.2"]
    found = _options(client, DIAGNOSES, q="subendocardial infarction")
    assert found == [{"value": "I21.4", "text": "I21.4 急性心内膜下心肌梗死"}]
    # Without a Chinese title the English one is shown; a code and words narrow together.
    cholera = _options(client, DIAGNOSES, q="A00 eltor")
    assert cholera == [
        {"value": "A00.1", "text": "A00.1 Cholera due to Vibrio cholerae 01, biovar eltor"}
    ]
    with CaptureQueriesContext(connection) as queries:
        assert len(_options(client, DIAGNOSES, q="骨折")) == 20
    assert _directory_queries(queries) == 1


def test_diagnoses_read_in_english_on_an_english_page(
    client: Client, diagnosis_codes: None
) -> None:
    _signed_in(client)
    client.cookies["django_language"] = "en"
    assert _options(client, DIAGNOSES, q="I21.4")[0]["text"] == (
        "I21.4 Acute subendocardial myocardial infarction"
    )


def _regions() -> Institution:
    """A province with two cities, a district of each and a street office; and the
    institution of the one signed in, in that district (a factory's own region would add
    a code of its own to the tree)."""
    province = RegionFactory(code="410000", name="河南省", level="province")
    city = RegionFactory(code="410100", name="郑州市", level="city", parent=province)
    county = RegionFactory(code="410102", name="中原区", level="county", parent=city)
    other_city = RegionFactory(code="411300", name="南阳市", level="city", parent=province)
    RegionFactory(code="411302", name="宛城区", level="county", parent=other_city)
    RegionFactory(code="410102001", name="林山寨街道", level="township", parent=county)
    return cast(Institution, InstitutionFactory(region=county))


def test_regions_are_found_by_every_word_of_the_name_or_the_code(client: Client) -> None:
    _signed_in(client, _regions())
    assert _options(client, REGIONS, q="中原") == [
        {"value": "410102", "text": "中原区 · 郑州市 · 县"}
    ]
    # Higher levels first; every word must be in the name.
    cities = _options(client, REGIONS, q="市")
    assert [o["value"] for o in cities] == ["410100", "411300"]
    assert _options(client, REGIONS, q="南阳 市")[0]["text"] == "南阳市 · 河南省 · 市"
    assert _options(client, REGIONS, q="河南")[0]["text"] == "河南省 · 省"
    by_code = [o["value"] for o in _options(client, REGIONS, q="4101")]
    assert by_code == ["410100", "410102", "410102001"]
    with CaptureQueriesContext(connection) as queries:
        assert len(_options(client, REGIONS, q="区")) == 2
    assert _directory_queries(queries) == 1  # the regions with their parents


def test_regions_are_cut_at_twenty(client: Client) -> None:
    for n in range(25):
        RegionFactory(code=f"{420000 + n}", name=f"第{n}乡", level="township")
    _signed_in(client)
    assert len(_options(client, REGIONS, q="乡")) == 20
