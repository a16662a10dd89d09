from __future__ import annotations

from typing import Any

from django.test import Client

from xietong.accounts.tests.factories import make_user
from xietong.directory.tests.network import Network

API = "/api/v1/directory"


def _get(client: Client, url: str, status: int = 200) -> Any:
    response = client.get(API + url)
    assert response.status_code == status, response.content
    return response.json()


def _signed_in(client: Client, network: Network) -> Client:
    client.force_login(make_user("requester", institution=network.county_hospital))
    return client


def test_the_api_needs_a_signed_in_caller(network: Network, client: Client) -> None:
    assert client.get(API + "/regions").status_code == 401


def test_regions(network: Network, client: Client) -> None:
    _signed_in(client, network)
    assert [r["code"] for r in _get(client, "/regions")["items"]] == ["410000"]
    cities = _get(client, "/regions?parent=410000&limit=1")
    assert cities["total"] == 2 and cities["limit"] == 1
    assert cities["items"] == [
        {"code": "410100", "name": "郑州市", "level": "city", "parent": "410000",
         "path": "410000/410100/"}
    ]  # fmt: skip
    assert _get(client, "/regions?parent=999999", 404)["code"] == "not_found"


def test_institutions(network: Network, client: Client) -> None:
    _signed_in(client, network)
    page = _get(client, "/institutions?region=410100&limit=2")
    assert page["total"] == 3
    assert [i["name"] for i in page["items"]] == ["郑州市协同中心医院", "金桥县人民医院"]
    assert page["items"][1]["upline"] == str(network.municipal.uuid)
    level = _get(client, "/institutions?level=galactic", 422)
    assert "level" in level["fields"]


def test_institution_detail(network: Network, client: Client) -> None:
    _signed_in(client, network)
    detail = _get(client, f"/institutions/{network.county_hospital.uuid}")
    assert detail["name"] == "金桥县人民医院"
    served_by = {g["service"]: g["count"] for g in detail["served_by"]}
    assert served_by == {"consultation": 3, "referral": 1}
    assert [g["service"] for g in detail["serves"]] == ["consultation"]
    provincial = _get(client, f"/institutions/{network.provincial.uuid}")
    assert [e["name"] for e in provincial["experts"]] == ["张伟", "陈静"]
    assert provincial["departments"][0]["department"]["code"] == "03.03"
    _get(client, "/institutions/6f1c3a52-8d0e-4c7b-9a43-3c1de0b2a7f1", 404)


def test_experts(network: Network, client: Client) -> None:
    _signed_in(client, network)
    page = _get(client, "/experts?service=consultation&limit=2")
    assert page["total"] == 3
    first = page["items"][0]
    assert first["name"] == "张伟" and first["title"] == "chief"
    assert first["institution"]["level"] == "provincial"
    assert first["department"]["name_en"] == "Neurology"
    assert first["accepts"] == ["consultation", "referral"]
    assert _get(client, "/experts?department=03.04")["total"] == 2
    assert "title" in _get(client, "/experts?title=professor", 422)["fields"]
    assert "limit" in _get(client, "/experts?limit=1000", 422)["fields"]


def test_departments(network: Network, client: Client) -> None:
    _signed_in(client, network)
    page = _get(client, "/departments")
    assert page["total"] == len(page["items"]) >= 30
    assert {"code": "03.04", "name": "心血管内科", "name_en": "Cardiology"} in page["items"]
