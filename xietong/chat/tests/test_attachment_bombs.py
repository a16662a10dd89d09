from __future__ import annotations

import pytest
from django.utils import translation

from xietong.chat.files import AttachmentInvalid, attachment_inspect
from xietong.chat.tests.helpers import upload
from xietong.core.tests.images import png


def test_an_attachment_declaring_absurd_dimensions_is_refused() -> None:
    with pytest.raises(AttachmentInvalid) as refused:
        attachment_inspect(upload("bomb.png", png(100_000, 100_000)))
    with translation.override("zh-hans"):
        assert "100000 × 100000 像素" in str(refused.value.message)


def test_an_ordinary_picture_passes() -> None:
    picture = png(1200, 800, pixels=bytes((1200 * 3 + 1) * 800))  # a white ECG strip
    assert attachment_inspect(upload("ecg.png", picture)).content_type == "image/png"
