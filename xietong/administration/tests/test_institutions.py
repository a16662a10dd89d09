"""The institutions pages as each kind of person meets them: a platform administrator lists,
adds, changes and takes institutions out of use (each change audited); an institution's
administrator and a clinician are refused (403), as on the people pages; a refused change
is said beside its field, in Chinese, and leaves the row as it was."""

from __future__ import annotations

from typing import cast

import pytest
from django.urls import reverse

from xietong.accounts.tests.helpers import last_audit, text
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution, Region
from xietong.directory.tests.factories import InstitutionFactory, RegionFactory

from .conftest import World, client_for, staff_admin

pytestmark = pytest.mark.django_db

LIST = reverse("administration:institutions")
ADD = reverse("administration:institution_add")


def institution_url(institution: Institution) -> str:
    return reverse("administration:institution", kwargs={"uuid": institution.uuid})


def _form(institution: Institution, **overrides: object) -> dict[str, object]:
    return {
        "do": "save", "code": institution.code, "name": institution.name,
        "short_name": institution.short_name, "level": institution.level,
        "kind": institution.kind, "grade": institution.grade,
        "region": institution.region.code, "upline": "", "address": institution.address,
        "phone": institution.phone, **overrides,
    }  # fmt: skip


def test_a_platform_administrator_lists_and_filters_institutions(world: World) -> None:
    InstitutionFactory(name="旧卫生院", code="T0001", level="township", active=False)
    client = client_for(world.root)
    html = text(client.get(LIST))
    assert "机构管理" in html and "金桥县医院" in html and "旧卫生院" in html
    assert "已停用" in html and ADD in html
    # By name, by code, by level and by whether in use.
    assert "金桥县医院" in text(client.get(LIST, {"q": "金桥"}))
    assert "金桥县医院" not in text(client.get(LIST, {"q": "t0001"}))
    assert "旧卫生院" in text(client.get(LIST, {"q": "t0001"}))
    township = text(client.get(LIST, {"level": "township"}))
    assert "旧卫生院" in township and "金桥县医院" not in township
    assert "旧卫生院" not in text(client.get(LIST, {"active": "yes"}))
    # A wrong filter is said beside it, not a failure; the others still apply.
    wrong = text(client.get(LIST, {"level": "galactic", "q": "旧卫生院"}))
    assert "galactic" in wrong and "金桥县医院" not in wrong.split('<div id="rows">')[1]


def test_the_institutions_list_pages(world: World) -> None:
    for n in range(30):
        InstitutionFactory(name=f"村卫生室{n:02d}", level="village")
    client = client_for(world.root)
    first = text(client.get(LIST, {"level": "village"}))
    assert "共 30 家机构" in first and 'rel="next"' in first
    second = text(client.get(LIST, {"level": "village", "page": "2"}))
    assert 'rel="prev"' in second and "level=village" in second


def test_others_are_refused_every_institution_page(world: World) -> None:
    target = world.county
    for user in (world.county_admin, world.doctor):
        client = client_for(user)
        for url in (LIST, ADD, institution_url(target)):
            assert client.get(url).status_code == 403, (user.username, url)
        answer = client.post(institution_url(target), {"do": "deactivate"})
        assert answer.status_code == 403
        assert 'href="/manage/institutions/"' not in text(client.get("/"))
    target.refresh_from_db()
    assert target.active


def test_an_institution_is_added_with_its_region_and_upline(world: World) -> None:
    county = cast(Region, RegionFactory(code="410122", name="中牟县"))
    # Down to townships: the region is searched as the administrator types.
    region = cast(Region, RegionFactory(code="410122101", name="官渡镇", level="township",
                                        parent=county))  # fmt: skip
    client = client_for(world.root)
    form = text(client.get(ADD))
    assert 'data-search-url="/directory/options/regions/"' in form
    assert 'data-search-url="/directory/options/institutions/"' in form
    values = {
        "code": "C410122", "name": "中牟县人民医院", "short_name": "中牟县医院",
        "level": "county", "kind": "hospital", "grade": "2A", "region": "410122101",
        "upline": str(world.centre.uuid), "address": "", "phone": "0371-62000000",
    }  # fmt: skip
    # Refused for another reason, the form keeps the region chosen, named as the list does.
    again = text(client.post(ADD, {**values, "name": ""}))
    assert '<option value="410122101" selected>官渡镇' in again
    answer = client.post(ADD, values)
    assert answer.status_code == 302 and answer["Location"] == LIST
    made = Institution.objects.get(code="C410122")
    assert made.region == region and made.upline == world.centre and made.active
    event = last_audit(world.root.username, "institution.create")
    assert event.detail["fields"]["upline"] == {"from": None, "to": world.centre.code}
    assert "已添加 中牟县人民医院" in text(client.get(LIST))


def test_a_change_is_saved_and_audited_with_old_and_new_values(world: World) -> None:
    client = client_for(world.root)
    page = text(client.get(institution_url(world.county)))
    assert f'value="{world.county.code}"' in page and "停用" in page
    answer = client.post(
        institution_url(world.county), _form(world.county, name="金桥县人民医院", phone="0371-1")
    )
    assert answer.status_code == 302
    world.county.refresh_from_db()
    assert world.county.name == "金桥县人民医院"
    fields = last_audit(world.root.username, "institution.update").detail["fields"]
    assert fields["name"] == {"from": "金桥县医院", "to": "金桥县人民医院"}
    assert set(fields) == {"name", "phone"}


def test_a_refused_change_is_said_beside_its_field_and_changes_nothing(world: World) -> None:
    client = client_for(world.root)
    before = AuditEvent.objects.count()
    answer = client.post(
        institution_url(world.county),
        _form(world.county, name="改了名", code=world.centre.code, upline=str(world.county.uuid)),
    )
    assert answer.status_code == 200
    html = text(answer)
    assert "已有其他机构使用此编码。" in html and 'id="id_code_error"' in html
    assert "机构不能是自己的上级机构。" in html and 'id="id_upline_error"' in html
    assert "xt-form-errors" in html
    world.county.refresh_from_db()
    assert world.county.name == "金桥县医院" and world.county.upline is None
    assert AuditEvent.objects.count() == before


def test_an_institution_is_deactivated_and_reactivated(world: World) -> None:
    client = client_for(world.root)
    url = institution_url(world.town)
    assert client.post(url, {"do": "deactivate"}).status_code == 302
    world.town.refresh_from_db()
    assert not world.town.active
    assert last_audit(world.root.username, "institution.deactivate").detail["fields"] == {
        "active": {"from": True, "to": False}
    }
    page = text(client.get(url))
    assert "已停用" in page and 'value="reactivate"' in page
    # Twice: said, nothing changed.
    answer = client.post(url, {"do": "deactivate"}, HTTP_REFERER=url)
    assert answer.status_code == 302 and "该机构已停用" in text(client.get(url))
    assert client.post(url, {"do": "reactivate"}).status_code == 302
    world.town.refresh_from_db()
    assert world.town.active


def test_an_account_without_the_right_to_change_may_only_look(world: World) -> None:
    looker = staff_admin(world.centre, "platform_admin", may_change=False)
    client = client_for(looker)
    page = text(client.get(institution_url(world.county)))
    assert "没有被授予" in page and 'name="do"' not in page and "disabled" in page
    assert client.get(ADD).status_code == 403
    answer = client.post(institution_url(world.county), _form(world.county, name="X"))
    assert answer.status_code == 403
    world.county.refresh_from_db()
    assert world.county.name == "金桥县医院"


def test_the_list_sorts_by_a_column_either_way_with_the_filters_kept(world: World) -> None:
    client = client_for(world.root)
    # The world's three: the centre, the county hospital and the township clinic.
    institutions = [world.centre, world.county, world.town]
    by_code = [i.name for i in sorted(institutions, key=lambda i: i.code)]

    def order(page: str) -> list[str]:
        rows = page[page.index("<tbody>") :]  # the header names the centre one acts for
        return sorted(by_code, key=rows.index)

    page = text(client.get(LIST, {"sort": "code"}))
    assert order(page) == by_code
    assert 'aria-sort="ascending"><a href="?sort=-code"' in page
    assert order(text(client.get(LIST, {"sort": "-code"}))) == by_code[::-1]
    page = text(client.get(LIST, {"active": "yes", "sort": "-code"}))
    assert order(page) == by_code[::-1]
    assert '<a href="?active=yes&amp;sort=code"' in page
