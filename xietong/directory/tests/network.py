"""A small network the directory's tests share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from xietong.directory.models import Department, Expert, Institution, Region
from xietong.directory.tests.factories import (
    CollaborationLinkFactory,
    ExpertFactory,
    InstitutionFactory,
    PractitionerFactory,
    RegionFactory,
)


@dataclass
class Network:
    """A small province: two cities, a county with a township, and who serves whom."""

    province: Region
    city: Region
    other_city: Region
    county: Region
    township: Region
    provincial: Institution
    centre: Institution
    municipal: Institution
    other_municipal: Institution
    county_hospital: Institution
    township_centre: Institution
    closed: Institution
    neurology: Department
    cardiology: Department
    # Experts, in the order the library must list them.
    provincial_chief: Expert
    provincial_associate: Expert
    municipal_chief: Expert
    municipal_associate: Expert


def _expert(institution: Institution, department: Department, title: str, name: str,
            **kwargs: Any) -> Expert:  # fmt: skip
    practitioner = PractitionerFactory(
        institution=institution, department=department, title=title, name=name,
        specialties=kwargs.pop("specialties", ""),
    )  # fmt: skip
    return cast(Expert, ExpertFactory(practitioner=practitioner, **kwargs))


def region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    return cast(Region, RegionFactory(code=code, name=name, level=level, parent=parent))


def institution(**kwargs: Any) -> Institution:
    return cast(Institution, InstitutionFactory(**kwargs))


def build_network() -> Network:
    province = region("410000", "河南省", "province")
    city = region("410100", "郑州市", "city", province)
    other_city = region("410300", "洛阳市", "city", province)
    county = region("410102", "金桥县", "county", city)
    township = region("410102101", "康城镇", "township", county)
    provincial = institution(name="豫州医科大学第一附属医院", level="provincial", grade="3A",
                             region=province)  # fmt: skip
    centre = institution(name="河南省协同远程医学中心", level="provincial",
                         kind="telemedicine_centre", grade="", region=province)  # fmt: skip
    municipal = institution(name="郑州市协同中心医院", level="municipal", region=city,
                            upline=provincial)  # fmt: skip
    other_municipal = institution(name="洛阳市协同中心医院", level="municipal", region=other_city)
    county_hospital = institution(name="金桥县人民医院", level="county", region=county,
                                  upline=municipal)  # fmt: skip
    township_centre = institution(name="金桥县康城镇卫生院", level="township",
                                  kind="health_centre", grade="1", region=township,
                                  upline=county_hospital)  # fmt: skip
    closed = institution(name="金桥县旧医院", level="county", region=county, active=False)
    neurology = Department.objects.get(code="03.03")
    cardiology = Department.objects.get(code="03.04")
    for provider in (provincial, centre, municipal):
        CollaborationLinkFactory(provider=provider, client=county_hospital, service="consultation")
    CollaborationLinkFactory(provider=municipal, client=county_hospital, service="referral")
    CollaborationLinkFactory(provider=county_hospital, client=township_centre,
                             service="consultation")  # fmt: skip
    CollaborationLinkFactory(provider=other_municipal, client=county_hospital,
                             service="consultation", active=False)  # fmt: skip
    CollaborationLinkFactory(provider=closed, client=township_centre, service="consultation")
    net = Network(
        province, city, other_city, county, township, provincial, centre, municipal,
        other_municipal, county_hospital, township_centre, closed, neurology, cardiology,
        provincial_chief=_expert(provincial, neurology, "chief", "张伟",
                                 specialties="脑血管病、癫痫",
                                 accepts=["consultation", "referral"]),
        provincial_associate=_expert(provincial, cardiology, "associate_chief", "陈静",
                                     specialties="冠心病介入治疗", accepts=["consultation"]),
        municipal_chief=_expert(municipal, cardiology, "chief", "王芳",
                                specialties="心力衰竭", accepts=["consultation", "education"]),
        municipal_associate=_expert(municipal, neurology, "associate_chief", "李强",
                                    specialties="帕金森病", accepts=["imaging"]),
    )  # fmt: skip
    # Left out of the library: not accepting requests, or at an inactive institution.
    _expert(provincial, neurology, "chief", "赵停诊", active=False)
    _expert(closed, neurology, "chief", "钱旧院")
    PractitionerFactory(institution=county_hospital, department=neurology, title="attending")
    return net


def names(experts: Any) -> list[str]:
    return [e.practitioner.name for e in experts]
