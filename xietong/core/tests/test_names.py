"""The characters a name may not have (xietong/core/names.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from xietong.core.names import name_problem, validate_name


@pytest.mark.parametrize(
    "name",
    ["王芳", "欧阳 娜娜", "阿卜杜拉·艾力", "Zhang San", "O'Brien", "买买提\u200c江"],
)
def test_ordinary_names_pass(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(
    "name", ["\u200b", "\u200b\u200c\u200d", "\ufeff", "\u2060\u00a0", "\u3164", "\u2800 "]
)
def test_a_name_of_invisible_characters_only_is_refused(name: str) -> None:
    with translation.override("zh-hans"):
        assert str(name_problem(name)) == "姓名中没有可见的字符。请输入姓名本身。"


@pytest.mark.parametrize(
    "control", [*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
)
def test_text_direction_controls_are_refused(control: str) -> None:
    assert name_problem(f"张{control}三") is not None


def test_nul_is_refused_with_a_chinese_message() -> None:
    with translation.override("zh-hans"):
        message = str(name_problem("王\x00芳"))
    assert "控制字符" in message


@pytest.mark.parametrize("char", ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\ud800"])
def test_noncharacters_are_refused(char: str) -> None:
    with translation.override("zh-hans"):
        assert "不是有效的文字" in str(name_problem(f"李{char}四"))


def test_the_django_validator_says_the_same() -> None:
    with pytest.raises(ValidationError) as exc, translation.override("zh-hans"):
        validate_name("\u202e芳王")
    assert exc.value.code == "name_characters"
    validate_name("王芳")  # no error
