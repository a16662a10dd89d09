"""The OHIF viewer speaks Chinese to a Chinese user in the reading flow: the main toolbar's
labels on a laptop and on a phone (OHIF's own Chinese), and the words OHIF's Chinese lacks,
which we supply (imaging/viewer-zh.js): here the image download dialog's."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in
from tests.browser.test_viewer import (
    _image_shown,
    _imaging_consultation,
    _installed,
    _off_the_browser_thread,
    _username,
)
from xietong.imaging.viewer import viewer_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The main toolbar's buttons a reader uses, by OHIF's names for them (data-cy); their
# accessible names are the labels OHIF shows as tooltips.
TOOLBAR = ("Length", "Zoom", "Pan", "WindowLevel", "Capture", "Crosshairs", "Reset")
TOOLBAR_LABELS = """(names) => names.map(n => {
  const b = document.querySelector(`button[data-cy="${n}-btn"]`);
  return b ? b.getAttribute('aria-label') : null;
})"""
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_the_viewer_toolbar_and_dialogs_are_chinese(new_page: Any) -> None:
    _installed()
    w, _c, uid, _stranger = _off_the_browser_thread(_imaging_consultation)
    page = new_page()
    sign_in(page, _username(w.requester))
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 800 if width > 500 else 844})
        page.goto(viewer_url(uid))
        _image_shown(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"viewer-chinese-{width}.png"))
        labels = page.evaluate(TOOLBAR_LABELS, list(TOOLBAR))
        assert all(label and CHINESE.search(label) for label in labels), labels
        assert labels[0] == "长度" and labels[3] == "窗位"

    # The words OHIF's Chinese lacks (imaging/viewer-zh.js) are in its i18n's Chinese now,
    # asked of the same module of the build that received them.
    supplied = page.evaluate("""() => { let found = null;
      window.rspackChunk.push([["xt-test"], {}, (require) => {
        const i18n = require(90119).A;
        found = [i18n.t('MeasurementTable:Create SR', {lng: 'zh'}),
                 i18n.t('ViewportDownloadForm:imageWidth', {lng: 'zh'})];
      }]);
      return found; }""")
    assert supplied == ["保存为结构化报告", "图像宽度（像素）"], supplied
