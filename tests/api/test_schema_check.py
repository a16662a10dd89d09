"""The checker the contract test relies on must itself catch what it claims to."""

from __future__ import annotations

from tests.api.schema_check import SchemaChecker

DOC = {
    "components": {
        "schemas": {
            "Out": {
                "type": "object",
                "required": ["id", "born", "tags"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "born": {"type": "string", "format": "date"},
                    "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                },
            },
            "Tag": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
        }
    }
}
REF = {"$ref": "#/components/schemas/Out"}
GOOD = {"id": "7f0c6f1e-6d1e-4c43-9a44-1d1c2f4b6a10", "born": "1961-03-08", "tags": [{"n": 1}]}


def test_a_conforming_value_has_no_errors() -> None:
    assert SchemaChecker(DOC).errors({**GOOD, "note": None}, REF) == []


def test_each_kind_of_mismatch_is_named_with_its_path() -> None:
    check = SchemaChecker(DOC)
    assert check.errors({**GOOD, "id": "nope"}, REF) == ["$.id: 'nope' is not a valid uuid"]
    assert check.errors({**GOOD, "born": "08/03/1961"}, REF) == [
        "$.born: '08/03/1961' is not a valid date"
    ]
    assert check.errors({k: v for k, v in GOOD.items() if k != "tags"}, REF) == [
        "$: missing required property 'tags'"
    ]
    assert check.errors({**GOOD, "tags": [{"n": True}]}, REF) == [
        "$.tags[0].n: expected integer, got bool True"
    ]
    assert check.errors({**GOOD, "note": 3}, REF) == ["$.note: matches 0 of the anyOf alternatives"]
    assert check.errors([GOOD], REF) == ["$: expected object, got list " + repr([GOOD])[:60]]
