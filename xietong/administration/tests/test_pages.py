"""The administration pages as each kind of person meets them: a platform administrator
sees and changes everyone, an institution's administrator their own institution's people,
anyone else is refused (403), and what is out of sight is not found (404)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from xietong.accounts.models import Membership, User
from xietong.accounts.tests.factories import make_membership
from xietong.accounts.tests.helpers import last_audit, text

from .conftest import World, client_for, staff_admin

pytestmark = pytest.mark.django_db

PEOPLE = reverse("administration:people")
ADD = reverse("administration:person_add")
APPROVALS = reverse("administration:approvals")


def person_url(user: User) -> str:
    return reverse("administration:person", kwargs={"user_uuid": user.uuid})


def test_every_page_opens_for_a_platform_administrator(world: World) -> None:
    client = client_for(world.root)
    for url in (PEOPLE, ADD, APPROVALS, person_url(world.doctor)):
        answer = client.get(url)
        assert answer.status_code == 200, url
    html = text(client.get(PEOPLE))
    assert "王建国" in html and world.nurse_elsewhere.username in html
    assert "金桥县医院 · 申请医生" in re.sub(r"<[^>]+>", "", html)
    # The navigation offers the pages, in Chinese.
    assert 'href="/manage/people/"' in html and "人员管理" in html


def test_a_clinician_is_refused_every_page(world: World) -> None:
    client = client_for(world.doctor)
    for url in (reverse("administration:index"), PEOPLE, ADD, APPROVALS, person_url(world.root)):
        assert client.get(url).status_code == 403, url
    assert client.post(person_url(world.root), {"do": "password"}).status_code == 403
    assert 'href="/manage/people/"' not in text(client.get("/"))


def test_a_missing_person_is_not_found(world: World) -> None:
    client = client_for(world.root)
    missing = reverse(
        "administration:person", kwargs={"user_uuid": "00000000-0000-4000-8000-000000000000"}
    )
    assert client.get(missing).status_code == 404


def test_an_institution_administrator_sees_their_institution_only(world: World) -> None:
    client = client_for(world.county_admin)
    html = text(client.get(PEOPLE))
    assert "王建国" in html
    assert world.nurse_elsewhere.username not in html
    assert world.root.username not in html
    # No institution to pick: theirs is the only one.
    assert 'name="institution"' not in html
    # Someone of another institution is out of sight: not found, whatever is asked.
    assert client.get(person_url(world.nurse_elsewhere)).status_code == 404
    assert client.post(person_url(world.nurse_elsewhere), {"do": "remove"}).status_code == 404
    # Adding a person: at their institution, never as a platform administrator.
    add = text(client.get(ADD))
    assert 'value="platform_admin"' not in add and 'value="institution_admin"' in add
    assert "金桥县医院" in add and 'name="institution"' not in add


def test_an_institution_administrator_changes_no_membership_elsewhere(world: World) -> None:
    # The doctor also works at the township clinic: the county's administrator sees that
    # membership but may change neither it nor the account, which a platform administrator
    # keeps (whoever sets a password may sign in as its owner).
    make_membership(user=world.doctor, institution=world.town, roles=["requester"])
    client = client_for(world.county_admin)
    html = text(client.get(person_url(world.doctor)))
    assert "康城镇卫生院" in html
    assert 'name="do" value="password"' not in html and 'name="do" value="details"' not in html
    answer = client.post(
        person_url(world.doctor),
        {"do": "membership", "institution": str(world.town.uuid),
         f"m{world.town.uuid.hex[:12]}-roles": ["expert"]},
    )  # fmt: skip
    assert answer.status_code == 403
    assert world.membership(world.doctor, world.town).roles == ["requester"]
    answer = client.post(
        person_url(world.doctor),
        {"do": "password", "password": "Fresh-Start-2026", "password2": "Fresh-Start-2026"},
    )
    assert answer.status_code == 403
    # Their own institution's membership is theirs to change.
    answer = client.post(
        person_url(world.doctor),
        {"do": "membership", "institution": str(world.county.uuid),
         f"m{world.county.uuid.hex[:12]}-roles": ["requester", "referral_desk"],
         f"m{world.county.uuid.hex[:12]}-active": "on"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert world.membership(world.doctor, world.county).roles == ["requester", "referral_desk"]
    assert last_audit(world.county_admin.username, "membership.update").detail["roles"] == {
        "from": ["requester"], "to": ["requester", "referral_desk"],
    }  # fmt: skip


def test_an_institution_administrator_manages_their_own_peoples_accounts(world: World) -> None:
    client = client_for(world.county_admin)
    answer = client.post(
        person_url(world.doctor),
        {"do": "details", "display_name": "王建国", "phone": "13900000002", "email": ""},
    )
    assert answer.status_code == 302
    world.doctor.refresh_from_db()
    assert world.doctor.phone == "13900000002" and not world.doctor.is_active
    event = last_audit(world.county_admin.username, "user.update")
    assert event.detail["access"] == {"is_active": {"from": True, "to": False}}


def test_an_account_without_the_right_to_change_may_only_look(world: World) -> None:
    looker = staff_admin(world.county, "institution_admin", may_change=False)
    client = client_for(looker)
    html = text(client.get(PEOPLE))
    assert "王建国" in html and ADD not in html
    assert "没有被授予" in html  # told why, in Chinese
    assert client.get(ADD).status_code == 403
    page = text(client.get(person_url(world.doctor)))
    assert 'name="do"' not in page


def test_the_people_list_finds_by_name_username_phone_institution_and_role(
    world: World,
) -> None:
    client = client_for(world.root)

    def found(**query: str) -> str:
        return text(client.get(PEOPLE, query))

    assert "王建国" in found(q="建国") and world.nurse_elsewhere.username not in found(q="建国")
    assert "王建国" in found(q="13800000001")
    assert "王建国" in found(q=world.doctor.username.upper())
    by_place = found(institution=str(world.town.uuid))
    assert world.nurse_elsewhere.username in by_place and "王建国" not in by_place
    admins = found(role="platform_admin")
    assert world.root.username in admins and "王建国" not in admins
    # Institution and role name the same membership.
    assert "王建国" not in found(institution=str(world.county.uuid), role="institution_admin")
    # A key that names nothing is said beside the filter, not a failure.
    assert "请从列表中选择" in found(institution="not-a-key")


def test_the_people_list_costs_the_same_however_many_people(
    world: World, django_assert_max_num_queries
) -> None:
    client = client_for(world.root)
    client.get(PEOPLE)  # the session and the caches warmed

    def queries_for_page() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(PEOPLE, {"institution": str(world.county.uuid)}).status_code == 200
        return len(captured.captured_queries)

    few = queries_for_page()
    for _n in range(20):
        member = make_membership(institution=world.county, roles=["requester", "expert"])
        make_membership(user=member.user, institution=world.town, roles=["learner"])
    assert queries_for_page() == few
    # The session, the account, the actor, the navigation's counts, the rights of the
    # account, the count and the page of people, their memberships: never one per person.
    with django_assert_max_num_queries(16):
        client.get(PEOPLE, {"q": "user", "role": "requester"})


def test_the_people_list_pages(world: World) -> None:
    for _n in range(30):
        make_membership(institution=world.county, roles=["learner"])
    client = client_for(world.root)
    first = text(client.get(PEOPLE, {"role": "learner"}))
    assert "共 30 人" in first and 'rel="next"' in first and "第 1 页" in first
    second = text(client.get(PEOPLE, {"role": "learner", "page": "2"}))
    assert 'rel="prev"' in second and "role=learner" in second


def test_the_nav_counts_the_roles_waiting_for_approval(world: World) -> None:
    m = world.membership(world.root, world.centre)
    m.pending_roles, m.pending_requested_by = ["qc"], world.root
    from django.utils import timezone

    m.pending_since = timezone.now()
    m.save()
    html = text(client_for(world.second).get("/"))
    entry = re.search(r'href="/manage/approvals/".*?</a>', html, re.S)
    assert entry is not None and 'xt-nav-count">1<' in entry.group(0)
    # The one who asked waits for someone else: nothing for them to do.
    mine = re.search(
        r'href="/manage/approvals/".*?</a>', text(client_for(world.root).get("/")), re.S
    )
    assert mine is not None and "xt-nav-count" not in mine.group(0)


def test_a_membership_is_added_and_removed(world: World) -> None:
    client = client_for(world.root)
    answer = client.post(
        person_url(world.doctor),
        {"do": "add", "institution": str(world.centre.uuid), "roles": ["lecturer"]},
    )
    assert answer.status_code == 302
    assert world.membership(world.doctor, world.centre).roles == ["lecturer"]
    answer = client.post(
        person_url(world.doctor), {"do": "remove", "institution": str(world.centre.uuid)}
    )
    assert answer.status_code == 302
    assert not Membership.objects.filter(user=world.doctor, institution=world.centre).exists()
    assert last_audit(world.root.username, "membership.delete").detail["roles"] == ["lecturer"]


def test_a_membership_without_a_role_is_refused_beside_its_field(world: World) -> None:
    client = client_for(world.root)
    answer = client.post(
        person_url(world.doctor), {"do": "add", "institution": str(world.centre.uuid)}
    )
    assert answer.status_code == 200
    assert "请至少选择一个角色" in text(answer)
    assert not Membership.objects.filter(user=world.doctor, institution=world.centre).exists()


def test_an_administrator_does_not_lock_themselves_out(world: World) -> None:
    client = client_for(world.root)
    me = person_url(world.root)
    prefix = f"m{world.centre.uuid.hex[:12]}"
    for data in (
        {"do": "details", "display_name": "管理员", "phone": "", "email": ""},  # switched off
        {"do": "remove", "institution": str(world.centre.uuid)},
        {"do": "membership", "institution": str(world.centre.uuid), f"{prefix}-roles": ["qc"],
         f"{prefix}-active": "on"},
    ):  # fmt: skip
        answer = client.post(me, data, HTTP_REFERER=me)
        assert answer.status_code == 302 and answer["Location"] == me, data
        messages = text(client.get(me))
        assert "另一位管理员" in messages or "不能停用" in messages, data
    world.root.refresh_from_db()
    assert world.root.is_active
    assert world.membership(world.root, world.centre).roles == ["platform_admin"]


def test_the_index_and_the_navigation_offer_each_administrator_their_areas(
    world: World,
) -> None:
    areas = ("/manage/people/", "/manage/approvals/", "/manage/practitioners/",
             "/manage/institutions/", "/manage/links/")  # fmt: skip
    root = text(client_for(world.root).get(reverse("administration:index")))
    assert all(f'href="{url}"' in root for url in areas)
    assert "机构管理" in root and "医务人员管理" in root and "协作关系管理" in root
    # An institution's administrator: people and practitioners, not institutions nor links.
    county = text(client_for(world.county_admin).get(reverse("administration:index")))
    assert all(f'href="{url}"' in county for url in areas[:3])
    assert not any(f'href="{url}"' in county for url in areas[3:])
    assert client_for(world.doctor).get(reverse("administration:index")).status_code == 403
