"""The record's filters (type, period, institution) and its pages, which keep the filters."""

from __future__ import annotations

import html as markup
import re
from typing import Any

import pytest
from django.urls import reverse

from .ehr_world import World, doctor_at, glucose, pushed_ok, world_build
from .factories import patient_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return world_build()


def _shown(w: World, **params: Any) -> tuple[str, list[str]]:
    _m, doctor = doctor_at(w.county)
    answer = doctor.get(reverse("ehr:patient", args=[w.patient.uuid]), params)
    assert answer.status_code == 200
    page = answer.content.decode()
    found = re.findall(r'<li class="card xt-ehr-entry".*?</li>', page, flags=re.S)
    texts = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", e)).strip() for e in found]
    return page, texts


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"kind": "observation"}, ["3.1", "8.4", "5.2"]),
        ({"kind": "condition"}, ["原发性高血压"]),
        ({"kind": "medication"}, ["硝苯地平控释片"]),
        ({"kind": "allergy"}, ["青霉素"]),
        ({"kind": "report"}, ["心脏彩超"]),
        ({"kind": "procedure"}, ["冠状动脉造影术"]),
        ({"kind": "document"}, ["出院小结"]),
        ({"kind": "encounter"}, ["心内科"]),
        ({"since": "2026-11-05", "until": "2026-11-11"}, ["心脏彩超", "3.1", "8.4"]),
        ({"until": "2026-11-01"}, ["原发性高血压", "青霉素", "心内科"]),
        ({"kind": "observation", "since": "2026-11-03"}, ["3.1", "8.4"]),
    ],
)
def test_the_filters_keep_the_matching_entries_newest_first(
    w: World, params: dict[str, str], titles: list[str]
) -> None:
    _page, entries = _shown(w, **params)
    assert len(entries) == len(titles)
    assert all(title in entry for title, entry in zip(titles, entries, strict=True))


def test_the_institution_filter_offers_the_hospitals_that_sent_and_keeps_one(w: World) -> None:
    page, _all = _shown(w)
    select = page[
        page.index('name="institution"') : page.index("</select>", page.index('name="institution"'))
    ]
    assert "全部机构" in select and "中牟县医院" in select and "郑州一院" in select

    page, entries = _shown(w, institution=str(w.city.pk))

    assert len(entries) == 4
    assert all("郑州一院" in e and "中牟县医院" not in e for e in entries)
    assert f'<option value="{w.city.pk}" selected>' in page


def test_a_wrong_date_is_said_in_chinese_and_filters_nothing(w: World) -> None:
    page, entries = _shown(w, since="2026-13-45")
    assert "输入一个有效的日期。" in markup.unescape(page)
    assert len(entries) == 10

    page, entries = _shown(w, since="2026-11-10", until="2026-11-02")
    assert "截止日期早于起始日期。" in page
    assert len(entries) == 4  # the start applies, the end that comes before it does not


def test_an_unknown_type_is_refused_and_filters_nothing(w: World) -> None:
    page, entries = _shown(w, kind="billing")
    assert "选择一个有效的选项" in page
    assert len(entries) == 10


def test_the_pages_keep_the_filters(w: World) -> None:
    person = patient_entry(w.county, f"MRN-{w.county.code}", resident_id=w.resident_id)
    subject = {"reference": person["fullUrl"]}
    results = [
        glucose(w.county, f"M{n}", subject, 5.0 + n / 10, f"2026-10-{n + 1:02d}T07:00:00+08:00")
        for n in range(25)
    ]
    pushed_ok(w.county_secret, [person, *results])

    page, first = _shown(w, kind="observation")

    assert len(first) == 25
    assert "第 1 页，共 2 页" in page
    assert 'href="?kind=observation&amp;page=2"' in page
    page, second = _shown(w, kind="observation", page="2")
    assert len(second) == 3
    # Oldest last: the first of October's results.
    assert second[-1].startswith("2026-10-01") and "5" in second[-1]
