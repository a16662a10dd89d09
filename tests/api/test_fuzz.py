"""Schemathesis against the in-process OpenAPI document: for every operation a bounded
number of generated calls, as a signed-in user, none of which may answer 5xx or answer
what the document does not declare. Deterministic (the same cases every run), so a
failure here is a defect to fix, not bad luck; `./xt bench fuzz` runs longer, at random."""

from __future__ import annotations

import pytest
from schemathesis.schemas import APIOperation

from tests.api.fuzzing import fuzz, fuzz_schema, operation_id, operations, target_build

pytestmark = pytest.mark.django_db

# Per operation; with about a hundred operations the whole test stays under two minutes.
COVERAGE_CASES = 12
FUZZED_CASES = 6

OPERATIONS = operations(fuzz_schema())


@pytest.mark.parametrize("op", OPERATIONS, ids=operation_id)
def test_fuzzed_calls_answer_as_declared(op: APIOperation) -> None:
    target = fuzz(target_build(op), coverage=COVERAGE_CASES, examples=FUZZED_CASES)
    assert target.cases > 0
    findings = "\n\n".join(str(f) for f in target.findings[:3])
    assert not target.findings, f"{len(target.findings)} findings, the first:\n{findings}"
