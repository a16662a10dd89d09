"""A one-row query compiled once per process: later calls give the rows Django would, with
their relations, in one statement; a query whose shape moves is compiled every time."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext

from xietong.core.rows import RowQuery
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _by_code(code: str) -> QuerySet[Institution]:
    return Institution.objects.select_related("region").filter(code=code, active=True)


def _institutions(count: int) -> list[Any]:
    return [
        InstitutionFactory(code=f"RQ{n}", name=f"第{n}医院", region=RegionFactory(name=f"区{n}"))
        for n in range(count)
    ]


def test_later_calls_give_each_key_its_own_row_with_its_relations_in_one_statement() -> None:
    made = _institutions(5)
    rows = RowQuery(Institution, _by_code)
    for institution in made:  # the first two compile, the rest reuse the SQL
        with CaptureQueriesContext(connection) as queries:
            found = rows.row(institution.code)
            assert found is not None
            assert (found.pk, found.name, found.region.name) == (
                institution.pk,
                institution.name,
                institution.region.name,
            )
        assert len(queries) == 1
    assert rows.row("RQ-none") is None


def test_the_reused_sql_carries_the_call_s_value_not_the_first_one() -> None:
    first, second, third = _institutions(3)
    rows = RowQuery(Institution, _by_code)
    rows.row(first.code)
    rows.row(second.code)
    Institution.objects.filter(pk=third.pk).update(active=False)
    assert rows.row(third.code) is None  # the condition still holds on a reused plan
    assert rows.row(first.code).pk == first.pk  # type: ignore[union-attr]


def test_a_value_computed_inside_the_query_keeps_it_compiled_every_time() -> None:
    made = _institutions(3)
    wanted = {"name": made[0].name}

    def by_code_and_current_name(code: str) -> QuerySet[Institution]:
        # `wanted` is not one of the call's values: reusing the first SQL would be wrong.
        return Institution.objects.filter(code=code, name=wanted["name"])

    rows = RowQuery(Institution, by_code_and_current_name)
    assert rows.row(made[0].code).pk == made[0].pk  # type: ignore[union-attr]
    wanted["name"] = made[1].name
    assert rows.row(made[1].code).pk == made[1].pk  # type: ignore[union-attr]
    wanted["name"] = made[2].name
    assert rows.row(made[2].code).pk == made[2].pk  # type: ignore[union-attr]
    assert rows.row(made[0].code) is None


def test_all_the_rows_of_a_parent_come_with_their_relations() -> None:
    regions: list[Any] = [RegionFactory(name=f"区{n}") for n in range(4)]
    for n, region in enumerate(regions):
        for m in range(n):
            InstitutionFactory(code=f"RQ{n}-{m}", name=f"第{n}-{m}医院", region=region)

    def of_region(region_id: int) -> QuerySet[Institution]:
        return (
            Institution.objects.filter(region_id=region_id)
            .select_related("region")
            .order_by("code")
        )

    rows = RowQuery(Institution, of_region)
    for n, region in enumerate(regions):
        with CaptureQueriesContext(connection) as queries:
            found = rows.rows(region.pk)
            assert [(i.code, i.region.name) for i in found] == [
                (f"RQ{n}-{m}", region.name) for m in range(n)
            ]
        assert len(queries) == 1


def test_a_shape_keeps_a_plan_of_its_own_and_a_value_may_fill_several_parameters() -> None:
    made = _institutions(6)

    def by_code(code: str, name: str, *, shape: str) -> QuerySet[Institution]:
        # The shape changes the SQL; `code` fills two parameters in the "both" shape.
        if shape == "both":
            return Institution.objects.filter(Q(code=code) | Q(short_name=code), name=name)
        return Institution.objects.filter(code=code)

    rows = RowQuery(Institution, by_code)
    for institution in made:
        for shape in ("both", "code"):
            with CaptureQueriesContext(connection) as queries:
                found = rows.row(institution.code, institution.name, shape=shape)
            assert found is not None and found.pk == institution.pk
            assert len(queries) == 1
    assert rows.row(made[0].code, made[1].name, shape="both") is None


def test_a_value_the_database_layer_converts_is_never_taken_for_another() -> None:
    made = _institutions(4)

    def by_uuid(key: Any) -> QuerySet[Institution]:
        return Institution.objects.filter(uuid=key)

    rows = RowQuery(Institution, by_uuid)
    # Twice the same key first (which decides nothing), then the others.
    for institution in [made[0], *made]:
        found = rows.row(institution.uuid)
        assert found is not None and found.pk == institution.pk


def test_a_value_every_call_shares_does_not_hold_the_plan_back() -> None:
    """The experts of one hospital share its institution: the plan is decided on the second
    call all the same, and still answers a call from another institution."""
    region: Any = RegionFactory(name="区共")
    made: list[Any] = [InstitutionFactory(code=f"RS{n}", region=region) for n in range(4)]
    other: Any = InstitutionFactory(code="RS-other", region=RegionFactory(name="区他"))

    def by_code_in_region(code: str, region_id: int) -> QuerySet[Institution]:
        return Institution.objects.filter(code=code, region_id=region_id)

    rows = RowQuery(Institution, by_code_in_region)
    for institution in made:
        assert rows.row(institution.code, region.pk).pk == institution.pk  # type: ignore[union-attr]
    assert [getattr(p, "checked", False) for p in rows._plans.values()] == [True]
    assert rows.row(other.code, region.pk) is None
    assert rows.row(other.code, other.region_id).pk == other.pk  # type: ignore[union-attr]


def test_a_parameter_made_from_a_value_that_stayed_put_is_still_found() -> None:
    made: list[Any] = [InstitutionFactory(code=f"RM{n}", short_name=f"S{n % 2}") for n in range(4)]

    def by_code_and_mark(code: str, mark: int) -> QuerySet[Institution]:
        # The parameter is made from `mark`, not `mark` itself: its SQL cannot be reused.
        return Institution.objects.filter(code=code, short_name=f"S{mark}")

    rows = RowQuery(Institution, by_code_and_mark)
    assert rows.row(made[0].code, 0).pk == made[0].pk  # type: ignore[union-attr]
    assert rows.row(made[2].code, 0).pk == made[2].pk  # type: ignore[union-attr]
    assert rows.row(made[1].code, 1).pk == made[1].pk  # type: ignore[union-attr]
    assert rows.row(made[3].code, 0) is None


def test_a_key_that_never_changes_lets_the_other_values_be_proved() -> None:
    """One API token sends every request of a PACS: its key stays, the time moves."""
    made = _institutions(2)
    built: list[str] = []

    def by_code_above(code: str, floor: int) -> QuerySet[Institution]:
        built.append(code)
        return Institution.objects.filter(code=code, pk__gt=floor)

    rows = RowQuery(Institution, by_code_above)
    # The same key, the other value moving: compiled twice, and built once more for the
    # check with a stand-in for the key that stayed; then never again.
    for floor in range(-4, 0):
        found = rows.row(made[0].code, floor)
        assert found is not None and found.pk == made[0].pk
    assert len(built) == 3
    assert rows.row(made[0].code, made[0].pk) is None  # the moving value is the call's own
    # Another key is the call's own too.
    assert rows.row(made[1].code, -9).pk == made[1].pk  # type: ignore[union-attr]
    assert rows.row(made[0].code, -8).pk == made[0].pk  # type: ignore[union-attr]
    assert rows.row(made[1].code, -7).pk == made[1].pk  # type: ignore[union-attr]
    assert len(built) == 3


def test_a_value_computed_inside_is_found_out_though_the_key_never_changes() -> None:
    made = _institutions(1)
    wanted = {"name": made[0].name}

    def by_code_and_name(code: str, floor: int) -> QuerySet[Institution]:
        return Institution.objects.filter(code=code, name=wanted["name"], pk__gt=floor)

    rows = RowQuery(Institution, by_code_and_name)
    assert rows.row(made[0].code, -1) is not None
    wanted["name"] = "另一家医院"
    assert rows.row(made[0].code, -2) is None  # the name moved: never reused
    wanted["name"] = made[0].name
    assert rows.row(made[0].code, -3) is not None
    wanted["name"] = "另一家医院"
    assert rows.row(made[0].code, -4) is None
