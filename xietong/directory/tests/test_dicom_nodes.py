"""DICOM nodes: registered with an AE title the standard allows and unique in the network,
with addresses that are addresses; managed by a platform administrator or by their own
institution's administrator; each change audited; and the receiver's question — may this
AE title, from this address, send to us? — answered in one query."""

from __future__ import annotations

import pytest
from django.utils import translation

from xietong.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.core.tests.statements import statements_counted
from xietong.directory.dicom import address_allowed, addresses_parse, ae_title_problem
from xietong.directory.models import DicomNode, Institution
from xietong.directory.selectors import dicom_node_for
from xietong.directory.services import (
    dicom_node_create,
    dicom_node_deactivate,
    dicom_node_reactivate,
    dicom_node_update,
    institution_deactivate,
)
from xietong.directory.tests.administrators import an_institution, directory_admin

pytestmark = pytest.mark.django_db


def _county() -> Institution:
    return an_institution(name="金桥县医院", level="county")


@pytest.mark.parametrize(
    "title",
    ["JQXYY_PACS", "A", "CT 1", "X" * 16, "mr-3.t@x"],
)
def test_titles_the_standard_allows(title: str) -> None:
    assert ae_title_problem(title) is None


@pytest.mark.parametrize(
    ("title", "why"),
    [
        ("", "1至16个字符"),
        ("X" * 17, "最多16个字符"),
        ("PACS\\2", "不能有反斜杠"),
        ("影像科", "不能有汉字"),
        ("CT\t1", "英文字母、数字、空格和常用符号"),
    ],
)
def test_titles_the_standard_refuses(title: str, why: str) -> None:
    problem = ae_title_problem(title)
    with translation.override("zh-hans"):
        assert problem is not None and why in str(problem)


def test_addresses_are_written_the_standard_way_and_wrong_ones_named() -> None:
    kept, wrong = addresses_parse(["10.2.3.4", "10.2.0.0/16", "10.2.3.4/32", "fe80::1", "x"])
    assert kept == ["10.2.3.4", "10.2.0.0/16", "fe80::1"]
    assert wrong == ["x"]
    # A network with host bits set is a typing slip, not a network.
    assert addresses_parse(["10.2.3.4/16"])[1] == ["10.2.3.4/16"]
    assert address_allowed("10.2.9.9", ["10.2.0.0/16"])
    assert address_allowed("::ffff:10.2.9.9", ["10.2.0.0/16"])
    assert not address_allowed("10.3.0.1", ["10.2.0.0/16", "10.2.3.4"])
    assert address_allowed("203.0.113.9", [])
    assert not address_allowed("not an address", ["10.2.0.0/16"])


def test_an_institutions_administrator_registers_a_node_the_receiver_then_accepts() -> None:
    county = _county()
    admin = directory_admin(county, "institution_admin")
    node = dicom_node_create(
        actor=admin, institution=county, ae_title=" JQX_PACS ",
        addresses=["10.2.0.0/16", "192.168.1.20"], note="放射科PACS",
    )  # fmt: skip
    assert node.ae_title == "JQX_PACS" and node.active
    event = AuditEvent.objects.get(action="dicom_node.create")
    assert event.resource_type == "DicomNode"
    assert event.detail["fields"]["ae_title"] == {"from": None, "to": "JQX_PACS"}
    assert event.detail["fields"]["institution"]["to"] == county.code
    with statements_counted() as statements:
        found = dicom_node_for(ae_title="JQX_PACS", address="10.2.7.7")
        assert found is not None and found.institution.name == "金桥县医院"
    assert len(statements) == 1, statements.listing()
    # Trailing padding, as some modalities send it, is not significant.
    assert dicom_node_for(ae_title="JQX_PACS  ", address="192.168.1.20") == node
    # Another address, another title, another case: refused.
    assert dicom_node_for(ae_title="JQX_PACS", address="192.168.1.21") is None
    assert dicom_node_for(ae_title="jqx_pacs", address="10.2.7.7") is None
    assert dicom_node_for(ae_title="OTHER", address="10.2.7.7") is None
    assert dicom_node_for(ae_title="   ", address="10.2.7.7") is None


def test_a_node_out_of_use_or_of_an_institution_out_of_use_is_refused() -> None:
    county = _county()
    root = directory_admin(an_institution(level="provincial"), "platform_admin")
    node = dicom_node_create(actor=root, institution=county, ae_title="JQX_CT", addresses=[])
    assert dicom_node_for(ae_title="JQX_CT", address="203.0.113.9") == node
    dicom_node_deactivate(actor=root, node=node)
    assert dicom_node_for(ae_title="JQX_CT", address="203.0.113.9") is None
    with pytest.raises(Conflict):
        dicom_node_deactivate(actor=root, node=node)
    dicom_node_reactivate(actor=root, node=node)
    assert dicom_node_for(ae_title="JQX_CT", address="203.0.113.9") == node
    institution_deactivate(actor=root, institution=county)
    assert dicom_node_for(ae_title="JQX_CT", address="203.0.113.9") is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="dicom_node.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["dicom_node.create", "dicom_node.deactivate", "dicom_node.reactivate"]


def test_bad_input_is_said_beside_each_field_and_changes_nothing() -> None:
    county = _county()
    admin = directory_admin(county, "institution_admin")
    dicom_node_create(actor=admin, institution=county, ae_title="JQX_PACS", addresses=[])
    before = (DicomNode.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        dicom_node_create(
            actor=admin, institution=county, ae_title="影像科\\PACS",
            addresses=["10.2.0.0/33", "pacs.local"], note="x" * 201,
        )  # fmt: skip
    assert set(refused.value.fields) == {"ae_title", "addresses", "note"}
    assert "10.2.0.0/33、pacs.local" in str(refused.value.fields["addresses"][0])
    with pytest.raises(ValidationFailed) as taken:
        dicom_node_create(actor=admin, institution=county, ae_title="JQX_PACS", addresses=[])
    assert "金桥县医院" in str(taken.value.fields["ae_title"][0])
    with pytest.raises(ValidationFailed) as none:
        dicom_node_create(actor=admin, institution=None, ae_title="JQX_2", addresses=[])
    assert set(none.value.fields) == {"institution"}
    assert (DicomNode.objects.count(), AuditEvent.objects.count()) == before


def test_a_change_records_what_changed_and_nothing_when_nothing_did() -> None:
    county = _county()
    admin = directory_admin(county, "institution_admin")
    node = dicom_node_create(actor=admin, institution=county, ae_title="JQX_PACS", addresses=[])
    dicom_node_update(
        actor=admin, node=node, ae_title="JQX_PACS", addresses=["10.2.3.4"], note="新PACS"
    )
    event = AuditEvent.objects.get(action="dicom_node.update")
    assert event.detail["fields"] == {
        "addresses": {"from": [], "to": ["10.2.3.4"]},
        "note": {"from": "", "to": "新PACS"},
    }
    dicom_node_update(
        actor=admin, node=node, ae_title="JQX_PACS", addresses=["10.2.3.4"], note="新PACS"
    )
    assert AuditEvent.objects.filter(action="dicom_node.update").count() == 1


def test_an_institutions_administrator_manages_their_own_nodes_only() -> None:
    county, other = _county(), an_institution(name="康城县医院", level="county")
    admin = directory_admin(county, "institution_admin")
    root = directory_admin(an_institution(level="provincial"), "platform_admin")
    theirs = dicom_node_create(actor=root, institution=other, ae_title="KC_PACS", addresses=[])
    with pytest.raises(NotPermitted):
        dicom_node_create(actor=admin, institution=other, ae_title="KC_CT", addresses=[])
    with pytest.raises(NotFound):
        dicom_node_update(actor=admin, node=theirs, ae_title="MINE", addresses=[], note="")
    with pytest.raises(NotFound):
        dicom_node_deactivate(actor=admin, node=theirs)
    mine = dicom_node_create(actor=admin, institution=county, ae_title="JQX_CT", addresses=[])
    with pytest.raises(NotPermitted):  # nor hand a node to another institution
        dicom_node_update(
            actor=admin, node=mine, institution=other, ae_title="JQX_CT", addresses=[], note=""
        )
    theirs.refresh_from_db()
    assert theirs.ae_title == "KC_PACS" and theirs.active


def test_without_the_accounts_permission_or_the_role_nothing_is_registered() -> None:
    county = _county()
    no_rights = directory_admin(county, "institution_admin", permissions=())
    with pytest.raises(NotPermitted):
        dicom_node_create(actor=no_rights, institution=county, ae_title="JQX", addresses=[])
    doctor = directory_admin(county, "requester")
    with pytest.raises(NotPermitted):
        dicom_node_create(actor=doctor, institution=county, ae_title="JQX", addresses=[])
    assert not DicomNode.objects.exists()
