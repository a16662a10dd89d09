"""The directory's JSON API (/api/v1/directory): regions, institutions, experts,
departments. Lists are pages: `limit` and `offset` in, `items` and `total` out."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema

from xietong.core import paging
from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.paging import limit_field

from . import selectors
from .models import (
    Department,
    Expert,
    Institution,
    InstitutionKind,
    InstitutionLevel,
    Region,
    RegionLevel,
    Service,
    Title,
)

router = Router(tags=["directory"])


class PageIn(paging.PageIn):
    limit: int = limit_field(default=20, most=100)


class RegionOut(Schema):
    code: str
    name: str
    level: RegionLevel
    parent: str | None = Field(None, description="the parent region's code")
    path: str


class RegionPage(Schema):
    items: list[RegionOut]
    total: int
    limit: int
    offset: int


class RegionsIn(PageIn):
    parent: str | None = Field(None, description="a region code; omit for the top regions")
    limit: int = limit_field(default=50)


class InstitutionBrief(Schema):
    uuid: UUID
    name: str
    level: InstitutionLevel


class InstitutionOut(Schema):
    uuid: UUID
    code: str
    name: str
    short_name: str
    level: InstitutionLevel
    kind: InstitutionKind
    grade: str
    region: str = Field(description="the region's code")
    region_name: str
    upline: UUID | None = None


class InstitutionPage(Schema):
    items: list[InstitutionOut]
    total: int
    limit: int
    offset: int


class InstitutionsIn(PageIn):
    region: str | None = Field(None, description="a region code: its whole subtree")
    level: InstitutionLevel | None = None
    kind: InstitutionKind | None = None
    q: str | None = Field(None, max_length=100)


class DepartmentOut(Schema):
    code: str
    name: str
    name_en: str


class DepartmentPage(Schema):
    items: list[DepartmentOut]
    total: int
    limit: int
    offset: int


class DepartmentsIn(PageIn):
    limit: int = limit_field(default=100)


class ExpertOut(Schema):
    uuid: UUID = Field(description="the practitioner's id")
    name: str
    title: Title
    practising_since: int
    years_of_practice: int
    specialties: str
    department: DepartmentOut | None
    institution: InstitutionBrief
    accepts: list[str]
    bio: str


class ExpertPage(Schema):
    items: list[ExpertOut]
    total: int
    limit: int
    offset: int


class ExpertsIn(PageIn):
    q: str | None = Field(None, max_length=100)
    department: str | None = Field(None, max_length=16, description="a department code")
    specialty: str | None = Field(None, max_length=100)
    title: Title | None = None
    institution_level: InstitutionLevel | None = None
    service: Service | None = None


class DepartmentCountOut(Schema):
    department: DepartmentOut
    practitioners: int
    experts: int


class LinkGroupOut(Schema):
    service: Service
    count: int
    institutions: list[InstitutionBrief] = Field(description="the first few, higher levels first")


class InstitutionDetail(InstitutionOut):
    address: str
    phone: str
    departments: list[DepartmentCountOut]
    experts: list[ExpertOut]
    serves: list[LinkGroupOut]
    served_by: list[LinkGroupOut]


def _region(region: Region) -> dict[str, Any]:
    parent_code = region.path.rstrip("/").split("/")[-2] if region.parent_id else None
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "parent": parent_code,
        "path": region.path,
    }


def _institution(inst: Institution) -> dict[str, Any]:
    return {
        "uuid": inst.uuid,
        "code": inst.code,
        "name": inst.name,
        "short_name": inst.short_name,
        "level": inst.level,
        "kind": inst.kind,
        "grade": inst.grade,
        "region": inst.region.code,
        "region_name": inst.region.name,
        "upline": inst.upline.uuid if inst.upline else None,
    }


def _brief(inst: Institution) -> dict[str, Any]:
    return {"uuid": inst.uuid, "name": inst.name, "level": inst.level}


def _department(dept: Department | None) -> dict[str, Any] | None:
    if dept is None:
        return None
    return {"code": dept.code, "name": dept.name, "name_en": dept.name_en}


def _expert(expert: Expert) -> dict[str, Any]:
    p = expert.practitioner
    return {
        "uuid": p.uuid,
        "name": p.name,
        "title": p.title,
        "practising_since": p.practising_since,
        "years_of_practice": p.years_of_practice,
        "specialties": p.specialties,
        "department": _department(p.department),
        "institution": _brief(p.institution),
        "accepts": list(expert.accepts),
        "bio": expert.bio,
    }


def _page(qs: QuerySet[Any], page: PageIn, shape: Any) -> dict[str, Any]:
    items = qs[page.offset : page.offset + page.limit]
    return {
        "items": [shape(obj) for obj in items],
        "total": qs.count(),
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/regions", response={200: RegionPage, 404: ErrorOut}, summary="Regions below one")
def regions(request: ApiRequest, params: Query[RegionsIn]) -> dict[str, Any]:
    parent = selectors.get_region(code=params.parent) if params.parent else None
    return _page(selectors.region_children(parent=parent), params, _region)


@router.get(
    "/institutions",
    response={200: InstitutionPage, 404: ErrorOut, 422: ErrorOut},
    summary="Institutions in a region's subtree",
)
def institutions(request: ApiRequest, params: Query[InstitutionsIn]) -> dict[str, Any]:
    region = selectors.get_region(code=params.region) if params.region else None
    qs = selectors.institutions_in_region(
        region=region, level=params.level, kind=params.kind, q=params.q
    ).select_related("upline")
    return _page(qs, params, _institution)


@router.get(
    "/institutions/{uuid}",
    response={200: InstitutionDetail, 404: ErrorOut},
    summary="An institution with its departments, experts and collaboration links",
)
def institution(request: ApiRequest, uuid: UUID) -> dict[str, Any]:
    inst = selectors.get_institution(uuid=uuid)
    links = selectors.institution_links(institution=inst)

    def groups(items: list[selectors.LinkGroup]) -> list[dict[str, Any]]:
        return [
            {
                "service": g.service,
                "count": g.count,
                "institutions": [_brief(i) for i in g.institutions],
            }
            for g in items
        ]

    return {
        **_institution(inst),
        "address": inst.address,
        "phone": inst.phone,
        "departments": [
            {
                "department": _department(row.department),
                "practitioners": row.practitioners,
                "experts": row.experts,
            }
            for row in selectors.institution_departments(institution=inst)
        ],
        "experts": [_expert(e) for e in selectors.institution_experts(institution=inst)],
        "serves": groups(links.provides),
        "served_by": groups(links.receives),
    }


@router.get(
    "/experts",
    response={200: ExpertPage, 422: ErrorOut},
    summary="Search the expert library",
)
def experts(request: ApiRequest, params: Query[ExpertsIn]) -> dict[str, Any]:
    filters = {
        "q": params.q,
        "department": params.department,
        "specialty": params.specialty,
        "title": params.title,
        "institution_level": params.institution_level,
        "service": params.service,
    }
    page = selectors.expert_search_page(**filters, limit=params.limit, offset=params.offset)
    return {
        "items": [_expert(e) for e in page.experts],
        "total": page.total,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.get("/departments", response=DepartmentPage, summary="The standard department list")
def departments(request: ApiRequest, params: Query[DepartmentsIn]) -> dict[str, Any]:
    return _page(selectors.departments(), params, _department)
