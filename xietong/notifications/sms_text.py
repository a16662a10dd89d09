"""An SMS as Chinese carriers and readers expect it: the sender's signature in 【】 first
(carriers refuse a message without a registered one), and no spaces beside Chinese
characters (translations put spaces around names, numbers and times the way English does;
in a Chinese SMS they read as gaps)."""

from __future__ import annotations

import re

from django.conf import settings

# A CJK character or a full-width punctuation mark.
_WIDE = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
_SPACE_BESIDE_WIDE = re.compile(rf"(?<={_WIDE})[ \t]+|[ \t]+(?={_WIDE})")


def sms_text(text: str, *, limit: int) -> str:
    """`text` with the platform's signature in front and no spaces beside Chinese, cut to
    `limit` characters."""
    signature = str(getattr(settings, "XT_SMS_SIGNATURE", "")).strip("【】 ")
    body = _SPACE_BESIDE_WIDE.sub("", " ".join(str(text).split()))
    if signature and not body.startswith(f"【{signature}】"):
        body = f"【{signature}】{body}"
    return body[:limit]
