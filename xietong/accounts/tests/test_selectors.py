"""Who holds which roles at an institution (xietong/accounts/selectors.py)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.accounts.selectors import member_ids_with_roles
from xietong.accounts.tests.factories import make_membership
from xietong.patients.tests.factories import an_institution


def test_active_members_having_any_of_the_roles(db: None) -> None:
    centre, other = an_institution(), an_institution()
    qc = make_membership(institution=centre, roles=["qc"])
    both = make_membership(institution=centre, roles=["requester", "coordinator"])
    make_membership(institution=centre, roles=["requester"])
    make_membership(institution=centre, roles=["qc"], active=False)
    make_membership(institution=other, roles=["qc"])

    with CaptureQueriesContext(connection) as queries:
        found = member_ids_with_roles(institution_id=centre.pk, roles=("qc", "coordinator"))

    assert found == sorted([qc.user_id, both.user_id])
    assert len(queries.captured_queries) == 1
    assert member_ids_with_roles(institution_id=None, roles=("qc",)) == []
