"""The DICOM nodes pages: a platform administrator registers and changes any institution's
nodes, an institution's administrator their own institution's only (the others are not
found); refusals are said beside the field and change nothing; a node is taken out of use
and back; the list costs the same however many nodes it shows."""

from __future__ import annotations

from typing import cast

import pytest
from django.urls import reverse

from xietong.accounts.tests.helpers import last_audit, text
from xietong.core.models import AuditEvent
from xietong.core.tests.statements import statements_counted
from xietong.directory.models import DicomNode, Institution
from xietong.directory.selectors import dicom_node_for
from xietong.directory.tests.factories import InstitutionFactory

from .conftest import World, client_for, staff_admin

pytestmark = pytest.mark.django_db

LIST = reverse("administration:dicom_nodes")
ADD = reverse("administration:dicom_node_add")


def _node(institution: Institution, ae_title: str, **fields: object) -> DicomNode:
    return DicomNode.objects.create(institution=institution, ae_title=ae_title, **fields)


def _page(node: DicomNode) -> str:
    return reverse("administration:dicom_node", kwargs={"uuid": node.uuid})


def _change(node: DicomNode, change: str) -> str:
    return reverse("administration:dicom_node_change", kwargs={"uuid": node.uuid,
                                                               "change": change})  # fmt: skip


def _rows(answer: object) -> str:
    return text(answer).split('<div id="rows">', 1)[1]


def test_an_institutions_administrator_registers_a_node_of_their_own(world: World) -> None:
    client = client_for(world.county_admin)
    form = text(client.get(ADD))
    assert "登记节点" in form and "金桥县医院" in form
    assert 'name="institution"' not in form  # their own institution, fixed
    answer = client.post(ADD, {"ae_title": "JQX_PACS", "addresses": "10.2.0.0/16\n192.168.1.20",
                               "note": "放射科PACS"})  # fmt: skip
    assert answer.status_code == 302
    node = DicomNode.objects.get(ae_title="JQX_PACS")
    assert node.institution == world.county and node.addresses == ["10.2.0.0/16", "192.168.1.20"]
    assert last_audit(world.county_admin.username, "dicom_node.create")
    page = text(client.get(answer["Location"]))
    assert "金桥县医院 现在可以通过 JQX_PACS 发送检查" in page
    assert dicom_node_for(ae_title="JQX_PACS", address="10.2.1.1") == node


def test_refusals_are_said_beside_the_field_and_change_nothing(world: World) -> None:
    _node(world.town, "KC_PACS")
    client = client_for(world.county_admin)
    before = (DicomNode.objects.count(), AuditEvent.objects.count())
    bad = text(client.post(ADD, {"ae_title": "影像科\\1", "addresses": "10.2.0.0/33, pacs",
                                 "note": ""}))  # fmt: skip
    assert 'id="id_ae_title_error"' in bad and "不能有汉字，不能有反斜杠" in bad
    assert 'id="id_addresses_error"' in bad and "不是IP地址或网段：10.2.0.0/33、pacs" in bad
    assert "10.2.0.0/33, pacs" in bad  # what was typed stays to be corrected
    blank = text(client.post(ADD, {"ae_title": "    ", "addresses": ""}))
    assert 'id="id_ae_title_error"' in blank and "不能全为空格" in blank
    long = text(client.post(ADD, {"ae_title": "X" * 17, "addresses": ""}))
    assert "AE名称最多16个字符" in long
    taken = text(client.post(ADD, {"ae_title": "KC_PACS", "addresses": ""}))
    assert 'id="id_ae_title_error"' in taken and "康城镇卫生院 已登记该AE名称" in taken
    assert (DicomNode.objects.count(), AuditEvent.objects.count()) == before


def test_a_platform_administrator_picks_the_institution_and_lists_every_node(
    world: World,
) -> None:
    _node(world.town, "KC_PACS")
    client = client_for(world.root)
    form = text(client.get(ADD))
    assert 'data-search-url="/directory/options/institutions/"' in form
    answer = client.post(ADD, {"institution": str(world.county.uuid), "ae_title": "JQX_CT",
                               "addresses": ""})  # fmt: skip
    assert answer.status_code == 302
    listed = _rows(client.get(LIST))
    assert "JQX_CT" in listed and "KC_PACS" in listed and "不限地址" in listed
    assert "DICOM节点管理" in text(client.get(LIST))
    town = _rows(client.get(LIST, {"institution": str(world.town.uuid)}))
    assert "KC_PACS" in town and "JQX_CT" not in town
    assert "KC_PACS" not in _rows(client.get(LIST, {"q": "jqx"}))
    missing = text(client.post(ADD, {"institution": "", "ae_title": "X1", "addresses": ""}))
    assert 'id="id_institution_error"' in missing


def test_an_institutions_administrator_sees_and_changes_their_own_nodes_only(
    world: World,
) -> None:
    mine = _node(world.county, "JQX_PACS")
    theirs = _node(world.town, "KC_PACS")
    client = client_for(world.county_admin)
    listed = _rows(client.get(LIST))
    assert "JQX_PACS" in listed and "KC_PACS" not in listed
    assert client.get(_page(theirs)).status_code == 404
    assert client.post(_page(theirs), {"ae_title": "MINE", "addresses": ""}).status_code == 404
    assert client.post(_change(theirs, "deactivate")).status_code == 404
    answer = client.post(_page(mine), {"ae_title": "JQX_PACS", "addresses": "10.2.3.4",
                                       "note": "新PACS"})  # fmt: skip
    assert answer.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.addresses == ["10.2.3.4"] and mine.note == "新PACS"
    assert theirs.ae_title == "KC_PACS" and theirs.active


def test_a_node_is_taken_out_of_use_and_back(world: World) -> None:
    node = _node(world.county, "JQX_PACS")
    client = client_for(world.county_admin)
    answer = client.post(_change(node, "deactivate"))
    assert answer["Location"] == _page(node)
    page = text(client.get(_page(node)))
    assert "现在拒绝来自 JQX_PACS 的连接" in page and "已停用：来自该节点的连接将被拒绝" in page
    assert dicom_node_for(ae_title="JQX_PACS", address="10.0.0.1") is None
    assert last_audit(world.county_admin.username, "dicom_node.deactivate")
    client.post(_change(node, "reactivate"))
    node.refresh_from_db()
    assert node.active
    assert client.get(_change(node, "deactivate")).status_code == 405
    assert client.post(_change(node, "explode")).status_code == 404


def test_others_are_refused_and_an_account_without_the_right_only_looks(world: World) -> None:
    node = _node(world.county, "JQX_PACS")
    doctor = client_for(world.doctor)
    for url in (LIST, ADD, _page(node)):
        assert doctor.get(url).status_code == 403, url
    assert doctor.post(_change(node, "deactivate")).status_code == 403
    looker = client_for(staff_admin(world.county, "institution_admin", may_change=False))
    page = text(looker.get(_page(node)))
    assert "JQX_PACS" in page and "保存节点" not in page and "停用" not in page.split("</h1>")[0]
    assert looker.get(ADD).status_code == 403
    assert looker.post(_change(node, "deactivate")).status_code == 403
    node.refresh_from_db()
    assert node.active


def test_the_list_costs_the_same_however_many_nodes(world: World) -> None:
    client = client_for(world.root)
    _node(world.county, "N0")
    client.get(LIST)  # the session and the caches warmed
    with statements_counted() as few:
        assert client.get(LIST).status_code == 200
    for n in range(1, 8):
        _node(cast(Institution, InstitutionFactory()), f"N{n}", addresses=["10.0.0.0/8"])
    with statements_counted() as many:
        assert client.get(LIST).status_code == 200
    assert len(many) == len(few), many.listing()
