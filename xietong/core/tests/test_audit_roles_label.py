"""The audit log names the roles an actor acted in as words, in the reader's language."""

from __future__ import annotations

from django.utils import translation

from xietong.core.audit_vocabulary import audit_roles_label


def test_roles_read_as_words_in_chinese_and_english() -> None:
    with translation.override("zh-hans"):
        assert audit_roles_label("coordinator,qc") == "会诊管理（分诊）、质控"
    with translation.override("en"):
        assert audit_roles_label("coordinator,qc") == "coordinator, quality control"


def test_an_unknown_role_shows_as_its_code_and_none_as_nothing() -> None:
    with translation.override("en"):
        assert audit_roles_label("retired_role") == "retired_role"
        assert audit_roles_label("") == ""
