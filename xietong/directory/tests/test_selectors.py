from __future__ import annotations

import pytest

from xietong.core.errors import NotFound, ValidationFailed
from xietong.directory import selectors
from xietong.directory.tests.factories import ExpertFactory
from xietong.directory.tests.network import Network, names


def test_region_children_and_breadcrumbs(network: Network) -> None:
    assert list(selectors.region_children()) == [network.province]
    assert [r.name for r in selectors.region_children(parent=network.province)] == [
        "郑州市",
        "洛阳市",
    ]
    assert [r.name for r in selectors.region_breadcrumbs(region=network.township)] == [
        "河南省",
        "郑州市",
        "金桥县",
        "康城镇",
    ]


def test_get_region_unknown_code_is_not_found(network: Network) -> None:
    with pytest.raises(NotFound):
        selectors.get_region(code="999999")


def test_institutions_in_region_cover_the_whole_subtree(network: Network) -> None:
    in_city = selectors.institutions_in_region(region=network.city)
    # Higher levels first; the township centre two levels down is included; the other
    # city's hospital and the inactive one are not.
    assert [i.name for i in in_city] == [
        "郑州市协同中心医院",
        "金桥县人民医院",
        "金桥县康城镇卫生院",
    ]
    everywhere = selectors.institutions_in_region()
    assert everywhere.count() == 6


def test_institution_filters(network: Network) -> None:
    province = network.province
    assert [i.name for i in selectors.institutions_in_region(region=province, level="county")] == [
        "金桥县人民医院"
    ]
    centres = selectors.institutions_in_region(kind="telemedicine_centre")
    assert [i.name for i in centres] == ["河南省协同远程医学中心"]
    assert [i.name for i in selectors.institutions_in_region(q="洛阳")] == ["洛阳市协同中心医院"]
    with pytest.raises(ValidationFailed) as err:
        selectors.institutions_in_region(level="galactic")
    assert "level" in err.value.fields


def test_region_counts_include_descendants(network: Network) -> None:
    children = list(selectors.region_children(parent=network.province))
    counts = selectors.region_institution_counts(children=children)
    assert counts == {network.city.pk: 3, network.other_city.pk: 1}


def test_get_institution(network: Network) -> None:
    assert selectors.get_institution(uuid=str(network.municipal.uuid)) == network.municipal
    for bad in ("not-a-uuid", "6f1c3a52-8d0e-4c7b-9a43-3c1de0b2a7f1"):
        with pytest.raises(NotFound):
            selectors.get_institution(uuid=bad)


def test_institution_by_id(network: Network) -> None:
    assert selectors.institution_by_id(institution_id=network.municipal.pk) == network.municipal
    assert selectors.institution_by_id(institution_id=0) is None


def test_active_expert_by_practitioner(network: Network) -> None:
    chief = network.provincial_chief
    assert selectors.active_expert_by_practitioner(uuid=chief.practitioner.uuid) == chief
    assert selectors.active_expert_by_practitioner(uuid=str(chief.practitioner.uuid)) == chief
    chief.active = False
    chief.save(update_fields=["active"])
    assert selectors.active_expert_by_practitioner(uuid=chief.practitioner.uuid) is None
    unknown = "6f1c3a52-8d0e-4c7b-9a43-3c1de0b2a7f1"
    assert selectors.active_expert_by_practitioner(uuid=unknown) is None


def test_institution_departments_come_from_its_practitioners(network: Network) -> None:
    rows = selectors.institution_departments(institution=network.provincial)
    assert [(r.department.code, r.practitioners, r.experts) for r in rows] == [
        ("03.03", 2, 1),  # the chief who stopped accepting requests is no expert here
        ("03.04", 1, 1),
    ]
    assert [
        e.practitioner.name for e in selectors.institution_experts(institution=network.provincial)
    ] == [
        "张伟",
        "陈静",
    ]


def test_institution_links_both_ways_grouped_by_service(network: Network) -> None:
    links = selectors.institution_links(institution=network.county_hospital)
    received = {g.service: [i.name for i in g.institutions] for g in links.receives}
    assert received == {
        "consultation": [
            "豫州医科大学第一附属医院",
            "河南省协同远程医学中心",
            "郑州市协同中心医院",
        ],
        "referral": ["郑州市协同中心医院"],
    }
    provided = {g.service: (g.count, [i.name for i in g.institutions]) for g in links.provides}
    assert provided == {"consultation": (1, ["金桥县康城镇卫生院"])}
    sampled = selectors.institution_links(institution=network.county_hospital, sample=1)
    assert sampled.receives[0].count == 3
    assert sampled.receives[0].more == 2


def test_expert_search_orders_by_level_then_title_then_name(network: Network) -> None:
    assert names(selectors.expert_search()) == ["张伟", "陈静", "王芳", "李强"]
    # Same level and title: by name.
    ExpertFactory(practitioner__institution=network.provincial, practitioner__title="chief",
                  practitioner__name="阿明")  # fmt: skip
    assert names(selectors.expert_search())[:2] == sorted(["张伟", "阿明"])


def test_expert_search_filters(network: Network) -> None:
    assert names(selectors.expert_search(department="03.03")) == ["张伟", "李强"]
    # A parent code includes its sub-departments.
    assert names(selectors.expert_search(department="03")) == ["张伟", "陈静", "王芳", "李强"]
    assert names(selectors.expert_search(specialty="冠心病")) == ["陈静"]
    assert names(selectors.expert_search(title="chief")) == ["张伟", "王芳"]
    assert names(selectors.expert_search(institution_level="municipal")) == ["王芳", "李强"]
    assert names(selectors.expert_search(service="education")) == ["王芳"]
    assert names(selectors.expert_search(service="imaging")) == ["李强"]
    assert names(selectors.expert_search(q="郑州 心力")) == ["王芳"]
    assert names(selectors.expert_search(q="Cardiology")) == ["陈静", "王芳"]
    assert names(selectors.expert_search(title="chief", institution_level="municipal")) == ["王芳"]


def test_expert_search_pages(network: Network) -> None:
    assert names(selectors.expert_search(limit=2)) == ["张伟", "陈静"]
    assert names(selectors.expert_search(limit=2, offset=2)) == ["王芳", "李强"]
    assert names(selectors.expert_search(limit=2, offset=4)) == []
    assert selectors.expert_search_queryset(title="chief").count() == 2


def test_expert_search_refuses_unknown_choices(network: Network) -> None:
    with pytest.raises(ValidationFailed) as err:
        selectors.expert_search(title="professor")
    assert "title" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        selectors.expert_search(institution_level="galactic")
    assert "institution_level" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        selectors.expert_search(service="massage")
    assert "service" in err.value.fields


def test_collaboration_providers_higher_levels_first(network: Network) -> None:
    providers = selectors.collaboration_providers_for(
        institution=network.county_hospital, service="consultation"
    )
    # The provincial centre (which triages) before the provincial hospital; the inactive
    # link from the other city's hospital does not count.
    assert [i.name for i in providers] == [
        "河南省协同远程医学中心",
        "豫州医科大学第一附属医院",
        "郑州市协同中心医院",
    ]
    referral = selectors.collaboration_providers_for(
        institution=network.county_hospital, service="referral"
    )
    assert [i.name for i in referral] == ["郑州市协同中心医院"]
    # An inactive provider serves nobody.
    township = selectors.collaboration_providers_for(
        institution=network.township_centre, service="consultation"
    )
    assert [i.name for i in township] == ["金桥县人民医院"]
    assert not selectors.collaboration_providers_for(
        institution=network.township_centre, service="pathology"
    ).exists()


def test_collaboration_link_exists_only_while_active(network: Network) -> None:
    municipal, county = network.municipal, network.county_hospital
    assert selectors.collaboration_link_exists(
        provider_id=municipal.pk, client_id=county.pk, service="referral"
    )
    # One way only, for the one service.
    assert not selectors.collaboration_link_exists(
        provider_id=county.pk, client_id=municipal.pk, service="referral"
    )
    assert not selectors.collaboration_link_exists(
        provider_id=network.provincial.pk, client_id=county.pk, service="referral"
    )
    assert not selectors.collaboration_link_exists(
        provider_id=network.other_municipal.pk, client_id=county.pk, service="consultation"
    )
    with pytest.raises(ValidationFailed):
        selectors.collaboration_link_exists(
            provider_id=municipal.pk, client_id=county.pk, service="massage"
        )


def test_collaboration_clients_of_and_one_besides(network: Network) -> None:
    municipal, county = network.municipal, network.county_hospital
    clients = selectors.collaboration_clients_of(provider_id=municipal.pk, service="referral")
    assert list(clients) == [county]
    besides = selectors.collaboration_clients_of(
        provider_id=municipal.pk, service="referral", including_id=network.township_centre.pk
    )
    assert set(besides) == {county, network.township_centre}
    # Named twice, listed once.
    again = selectors.collaboration_clients_of(
        provider_id=municipal.pk, service="referral", including_id=county.pk
    )
    assert list(again) == [county]
    # An inactive link serves nobody.
    assert not selectors.collaboration_clients_of(
        provider_id=network.other_municipal.pk, service="consultation"
    ).exists()


def test_expert_search_page_carries_the_total(network: Network) -> None:
    page = selectors.expert_search_page(service="consultation", limit=2)
    assert names(page.experts) == ["张伟", "陈静"] and page.total == 3
    last = selectors.expert_search_page(service="consultation", limit=2, offset=2)
    assert names(last.experts) == ["王芳"] and last.total == 3
    beyond = selectors.expert_search_page(service="consultation", limit=2, offset=10)
    assert beyond.experts == [] and beyond.total == 3
    assert selectors.expert_search_page(q="没有这个人").total == 0
