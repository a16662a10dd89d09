"""Every change in the admin that decides who may see what is an audited service call, and
a clinical role an administrator gives themselves waits for a second administrator."""

from __future__ import annotations

from typing import cast

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.actors import actor_for_user
from xietong.accounts.memberships import membership_approve, membership_update
from xietong.accounts.models import CLINICAL_ROLES, Membership, User
from xietong.accounts.tests.admin_forms import admin_submit
from xietong.accounts.tests.factories import make_actor, make_membership, make_user
from xietong.accounts.tests.helpers import last_audit, text
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotPermitted
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.patients.access import VIEW_ROLES, patient_visible_to
from xietong.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db


def _admin(username: str) -> User:
    return User.objects.create_superuser(username, f"{username}@example.org", "Root-Pass-123")


@pytest.fixture
def root(client: Client) -> User:
    user = _admin("root")
    client.force_login(user)
    return user


def _add_membership(client: Client, user: User, institution: Institution, *roles: str):
    return client.post(
        reverse("admin:accounts_membership_add"),
        {"user": user.pk, "institution": institution.pk, "roles": list(roles), "active": "on"},
    )


def test_every_role_that_opens_patient_data_is_clinical() -> None:
    assert VIEW_ROLES <= CLINICAL_ROLES


def test_a_membership_added_in_the_admin_is_audited(client: Client, root: User) -> None:
    doctor = make_user("learner")
    hospital = cast(Institution, InstitutionFactory(name="县医院"))
    response = _add_membership(client, doctor, hospital, "requester")
    assert response.status_code == 302
    membership = Membership.objects.get(user=doctor, institution=hospital)
    assert membership.roles == ["requester"]  # someone else's: in effect at once
    event = last_audit("root", "membership.create")
    assert event.resource_id == str(membership.pk)
    assert event.detail["user"] == doctor.username
    assert event.detail["roles"] == ["requester"]


def test_an_administrator_making_themselves_a_clinician_waits_for_approval(
    client: Client, root: User
) -> None:
    hospital = cast(Institution, InstitutionFactory())
    patient = make_patient(hospital)
    assert _add_membership(client, root, hospital, "requester", "supervisor").status_code == 302
    membership = Membership.objects.get(user=root)
    assert (membership.roles, membership.pending_roles) == (["supervisor"], ["requester"])
    assert membership.pending_requested_by == root
    actor = actor_for_user(user=root)
    assert actor is not None and not patient_visible_to(actor, patient)
    assert last_audit("root", "membership.create").detail["pending_roles"] == ["requester"]

    # Approving one's own request is refused, in the admin as in the service: an
    # administrator may approve, but not as the one who asked (the wrong party, 409).
    root_actor = Actor(user_id=root.pk, username=root.username)
    with pytest.raises(Conflict):
        membership_approve(actor=root_actor, membership_id=membership.pk)
    client.post(
        reverse("admin:accounts_membership_changelist"),
        {"action": "approve", "_selected_action": [membership.pk]},
    )
    membership.refresh_from_db()
    assert membership.pending_roles == ["requester"]

    # A second administrator approves; then the role opens the patient.
    second = Client()
    second.force_login(_admin("second"))
    second.post(
        reverse("admin:accounts_membership_changelist"),
        {"action": "approve", "_selected_action": [membership.pk]},
    )
    membership.refresh_from_db()
    assert (membership.roles, membership.pending_roles) == (["supervisor", "requester"], [])
    actor = actor_for_user(user=root)
    assert actor is not None and patient_visible_to(actor, patient)
    event = last_audit("second", "membership.approve")
    assert event.detail["approved"] == ["requester"]
    assert event.detail["requested_by"] == root.pk


def test_adding_a_clinical_role_to_ones_own_membership_waits_too(root: User) -> None:
    membership = make_membership(user=root, roles=["platform_admin"])
    actor = Actor(user_id=root.pk, username=root.username)
    membership_update(actor=actor, membership_id=membership.pk,
                      roles=["platform_admin", "expert"], active=True)  # fmt: skip
    membership.refresh_from_db()
    assert (membership.roles, membership.pending_roles) == (["platform_admin"], ["expert"])
    # Switching one's own membership back on does not bring its clinical roles back either.
    clinician = make_membership(user=root, roles=["requester"], active=False)
    membership_update(actor=actor, membership_id=clinician.pk, roles=["requester"], active=True)
    clinician.refresh_from_db()
    assert (clinician.roles, clinician.pending_roles, clinician.active) == ([], ["requester"], True)


def test_a_declined_request_opens_nothing(client: Client, root: User) -> None:
    hospital = cast(Institution, InstitutionFactory())
    _add_membership(client, root, hospital, "expert")
    membership = Membership.objects.get(user=root)
    second = Client()
    second.force_login(_admin("second"))
    second.post(
        reverse("admin:accounts_membership_changelist"),
        {"action": "decline", "_selected_action": [membership.pk]},
    )
    membership.refresh_from_db()
    assert (membership.roles, membership.pending_roles, membership.pending_since) == ([], [], None)
    assert last_audit("second", "membership.decline").detail["declined"] == ["expert"]


def test_other_administrators_see_what_waits_for_them(client: Client, root: User) -> None:
    hospital = cast(Institution, InstitutionFactory(name="柘城县人民医院"))
    _add_membership(client, root, hospital, "expert")
    second_user = _admin("second")
    make_membership(user=second_user, roles=["platform_admin"])
    second = Client()
    second.force_login(second_user)
    home = text(second.get(reverse("home")))
    assert "等待您批准的角色" in home
    # The card opens the product's approvals page, as the Django admin's list still shows.
    assert reverse("administration:approvals") in home
    assert "柘城县人民医院" in text(second.get(reverse("administration:approvals")))
    listing = text(second.get(reverse("admin:accounts_membership_changelist") + "?approval=yours"))
    assert "柘城县人民医院" in listing
    # The one who asked is not asked to approve it.
    make_membership(user=root, roles=["platform_admin"])
    assert "等待您批准的角色" not in text(client.get(reverse("home")))
    mine = text(client.get(reverse("admin:accounts_membership_changelist") + "?approval=yours"))
    assert "柘城县人民医院" not in mine


def test_memberships_on_a_persons_page_are_audited(client: Client, root: User) -> None:
    doctor = make_user("requester", institution__name="乡镇卫生院")
    membership = doctor.memberships.get()
    other = cast(Institution, InstitutionFactory())
    url = reverse("admin:accounts_user_change", args=[doctor.pk])
    response = admin_submit(
        client, url, "user_form",
        **{
            "memberships-0-roles": ["requester", "expert"],
            "memberships-TOTAL_FORMS": "2",
            "memberships-1-institution": str(other.pk),
            "memberships-1-roles": ["pharmacist"],
            "memberships-1-active": "on",
            "memberships-1-user": str(doctor.pk),
        },
    )  # fmt: skip
    assert response.status_code == 302, text(response)[:3000]
    membership.refresh_from_db()
    assert membership.roles == ["requester", "expert"]
    update = last_audit("root", "membership.update")
    assert update.detail["roles"] == {"from": ["requester"], "to": ["requester", "expert"]}
    assert last_audit("root", "membership.create").detail["roles"] == ["pharmacist"]

    response = admin_submit(client, url, "user_form", **{"memberships-0-DELETE": "on"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert last_audit("root", "membership.delete").resource_id == str(membership.pk)


def test_admin_flags_and_password_changes_are_audited(client: Client, root: User) -> None:
    person = make_user("requester")
    url = reverse("admin:accounts_user_change", args=[person.pk])
    assert admin_submit(client, url, "user_form", is_staff="on").status_code == 302
    event = last_audit("root", "user.update")
    assert event.detail["access"] == {"is_staff": {"from": False, "to": True}}

    password_url = reverse("admin:auth_user_password_change", args=[person.pk])
    response = client.post(
        password_url,
        {"password1": "New-Pass-2026!x", "password2": "New-Pass-2026!x", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert last_audit("root", "password.reset").resource_id == str(person.pk)


def test_an_administrator_cannot_link_themselves_to_a_practitioner(
    client: Client, root: User
) -> None:
    from xietong.directory.models import Practitioner
    from xietong.directory.tests.factories import PractitionerFactory

    practitioner = cast(Practitioner, PractitionerFactory())
    url = reverse("admin:accounts_user_change", args=[root.pk])
    response = admin_submit(client, url, "user_form", practitioner=str(practitioner.pk))
    assert response.status_code == 200
    assert "另一位管理员" in text(response)
    root.refresh_from_db()
    assert root.practitioner_id is None


def test_someone_without_admin_rights_changes_nothing() -> None:
    clerk = make_actor("institution_admin")
    membership = make_membership(roles=["requester"])
    with pytest.raises(NotPermitted):
        membership_update(actor=clerk, membership_id=membership.pk, roles=["expert"], active=True)
    membership.refresh_from_db()
    assert membership.roles == ["requester"]


def test_expert_and_centre_settings_in_the_admin_are_audited(client: Client, root: User) -> None:
    from xietong.consultations.models import CentreSettings
    from xietong.directory.models import Expert
    from xietong.directory.tests.factories import ExpertFactory

    expert = cast(Expert, ExpertFactory())
    url = reverse("admin:directory_expert_change", args=[expert.pk])
    assert admin_submit(client, url, "expert_form", active=None).status_code == 302
    event = AuditEvent.objects.filter(action="admin.update", resource_type="Expert").get()
    assert event.detail["fields"]["active"] == {"from": True, "to": False}

    settings_row = CentreSettings.objects.create(centre=cast(Institution, InstitutionFactory()))
    changelist = reverse("admin:consultations_centresettings_changelist")
    client.post(changelist, {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(settings_row.pk),
        "form-0-direct_expert_pick": "on", "_save": "Save",
    })  # fmt: skip
    settings_row.refresh_from_db()
    assert settings_row.direct_expert_pick
    assert AuditEvent.objects.filter(action="admin.update", resource_type="CentreSettings").exists()
