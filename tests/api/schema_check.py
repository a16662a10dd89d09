"""A small JSON Schema check for the OpenAPI 3.1 documents Django Ninja writes: enough of
the vocabulary for pydantic's output ($ref, type, properties, required, items, anyOf,
oneOf, allOf, enum, const, formats, bounds), and every mismatch named by its path."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _is_type(value: Any, name: str) -> bool:
    # JSON's true/false are not numbers, although Python's bool is an int.
    if isinstance(value, bool) and name in {"integer", "number"}:
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[name])


def _format_ok(value: str, fmt: str) -> bool:
    try:
        if fmt == "uuid":
            uuid.UUID(value)
        elif fmt == "date":
            dt.date.fromisoformat(value)
        elif fmt == "date-time":
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif fmt == "email":
            return re.fullmatch(r"[^@\s]+@[^@\s]+", value) is not None
    except ValueError:
        return False
    return True  # formats we do not know are annotations, not assertions


class SchemaChecker:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported, not {ref!r}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        resolved: dict[str, Any] = node
        return resolved

    def errors(self, value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
        if "$ref" in schema:
            found = self.errors(value, self.resolve(schema["$ref"]), path)
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            return found + (self.errors(value, rest, path) if rest else [])
        problems: list[str] = []
        if value is None and schema.get("nullable"):  # OpenAPI 3.0 style
            return []
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not any(_is_type(value, n) for n in names):
                return [
                    f"{path}: expected {'/'.join(names)}, got {type(value).__name__} {value!r:.60}"
                ]
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{path}: {value!r} is not one of {schema['enum']}")
        if "const" in schema and value != schema["const"]:
            problems.append(f"{path}: {value!r} is not {schema['const']!r}")
        for key in ("anyOf", "oneOf"):
            if key in schema:
                matches = [not self.errors(value, sub, path) for sub in schema[key]]
                if not any(matches) or (key == "oneOf" and sum(matches) > 1):
                    problems.append(f"{path}: matches {sum(matches)} of the {key} alternatives")
        for sub in schema.get("allOf", []):
            problems += self.errors(value, sub, path)
        if isinstance(value, str):
            problems += self._string(value, schema, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                problems.append(f"{path}: {value} is below the minimum {schema['minimum']}")
            if "maximum" in schema and value > schema["maximum"]:
                problems.append(f"{path}: {value} is above the maximum {schema['maximum']}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if "items" in schema:
                    problems += self.errors(item, schema["items"], f"{path}[{i}]")
            if "minItems" in schema and len(value) < schema["minItems"]:
                problems.append(f"{path}: fewer than {schema['minItems']} items")
        elif isinstance(value, dict):
            problems += self._object(value, schema, path)
        return problems

    def _string(self, value: str, schema: dict[str, Any], path: str) -> list[str]:
        problems = []
        if "format" in schema and not _format_ok(value, schema["format"]):
            problems.append(f"{path}: {value!r} is not a valid {schema['format']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{path}: longer than {schema['maxLength']}")
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append(f"{path}: shorter than {schema['minLength']}")
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            problems.append(f"{path}: does not match {schema['pattern']!r}")
        return problems

    def _object(self, value: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
        problems = [
            f"{path}: missing required property {name!r}"
            for name in schema.get("required", [])
            if name not in value
        ]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                problems += self.errors(item, properties[name], f"{path}.{name}")
            elif extra is False:
                problems.append(f"{path}: unexpected property {name!r}")
            elif isinstance(extra, dict):
                problems += self.errors(item, extra, f"{path}.{name}")
        return problems
