from __future__ import annotations

import pytest

from xietong.directory.departments import STANDARD_DEPARTMENTS
from xietong.directory.models import Department


@pytest.mark.django_db
def test_every_database_has_the_standard_department_list() -> None:
    stored = dict(Department.objects.values_list("code", "name"))
    assert stored == {d.code: d.name for d in STANDARD_DEPARTMENTS}


def test_the_list_covers_the_departments_the_network_needs() -> None:
    english = " ".join(d.name_en for d in STANDARD_DEPARTMENTS)
    for needed in (
        "Neurology", "Orthopaedics", "Cardiology", "Respiratory", "Gastroenterology",
        "Hepatobiliary", "General surgery", "Neurosurgery", "Oncology", "Paediatrics",
        "Obstetrics", "Emergency", "ICU", "imaging", "Ultrasound", "ECG", "Pathology",
        "Laboratory", "Rehabilitation", "Traditional Chinese medicine", "Ophthalmology",
        "ENT", "Dermatology", "Endocrinology", "Nephrology", "Haematology", "Infectious",
        "Psychiatry", "Anaesthesiology",
    ):  # fmt: skip
        assert needed in english, needed
    codes = [d.code for d in STANDARD_DEPARTMENTS]
    assert len(codes) == len(set(codes))
    # Second-level codes sit under a first-level code that is in the list too.
    for code in codes:
        if "." in code:
            assert code.split(".")[0] in codes
