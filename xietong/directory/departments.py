"""The standard department list every institution shares.

Codes follow the 《医疗机构诊疗科目名录》 style: a two-digit first-level subject ("03" 内科)
and a dotted second level ("03.04" 心血管内科). Where the list has no subject of its own
(hepatobiliary surgery sits inside general surgery, rheumatology inside immunology) the
code is a local extension under its parent, so a prefix match on "04" still finds it.
The data migration 0002 loads this list into every database; change it only together with
a new data migration."""

from __future__ import annotations

from typing import NamedTuple


class StandardDepartment(NamedTuple):
    code: str
    name: str
    name_en: str


STANDARD_DEPARTMENTS: tuple[StandardDepartment, ...] = (
    StandardDepartment("02", "全科医疗科", "General practice"),
    StandardDepartment("03", "内科", "Internal medicine"),
    StandardDepartment("03.01", "呼吸内科", "Respiratory medicine"),
    StandardDepartment("03.02", "消化内科", "Gastroenterology"),
    StandardDepartment("03.03", "神经内科", "Neurology"),
    StandardDepartment("03.04", "心血管内科", "Cardiology"),
    StandardDepartment("03.05", "血液内科", "Haematology"),
    StandardDepartment("03.06", "肾内科", "Nephrology"),
    StandardDepartment("03.07", "内分泌科", "Endocrinology"),
    StandardDepartment("03.08", "风湿免疫科", "Rheumatology and immunology"),
    StandardDepartment("04", "外科", "Surgery"),
    StandardDepartment("04.01", "普通外科", "General surgery"),
    StandardDepartment("04.02", "神经外科", "Neurosurgery"),
    StandardDepartment("04.03", "骨科", "Orthopaedics"),
    StandardDepartment("04.04", "泌尿外科", "Urology"),
    StandardDepartment("04.05", "胸外科", "Thoracic surgery"),
    StandardDepartment("04.10", "肝胆外科", "Hepatobiliary surgery"),
    StandardDepartment("05", "妇产科", "Obstetrics and gynaecology"),
    StandardDepartment("07", "儿科", "Paediatrics"),
    StandardDepartment("10", "眼科", "Ophthalmology"),
    StandardDepartment("11", "耳鼻咽喉科", "Otorhinolaryngology (ENT)"),
    StandardDepartment("13", "皮肤科", "Dermatology"),
    StandardDepartment("15", "精神科", "Psychiatry"),
    StandardDepartment("16", "感染性疾病科", "Infectious diseases"),
    StandardDepartment("19", "肿瘤科", "Oncology"),
    StandardDepartment("20", "急诊医学科", "Emergency medicine"),
    StandardDepartment("21", "康复医学科", "Rehabilitation medicine"),
    StandardDepartment("26", "麻醉科", "Anaesthesiology"),
    StandardDepartment("28", "重症医学科", "Critical care medicine (ICU)"),
    StandardDepartment("30", "医学检验科", "Laboratory medicine"),
    StandardDepartment("31", "病理科", "Pathology"),
    StandardDepartment("32", "医学影像科", "Medical imaging and radiology"),
    StandardDepartment("32.05", "超声诊断科", "Ultrasound"),
    StandardDepartment("32.06", "心电诊断科", "ECG and electrophysiology"),
    StandardDepartment("50", "中医科", "Traditional Chinese medicine"),
)

# The subjects whose experts read studies rather than see patients: the expert library and
# the demo offer them for the matching reading service.
READING_SERVICE_BY_DEPARTMENT = {
    "32": "imaging",
    "32.05": "imaging",
    "32.06": "ecg",
    "31": "pathology",
}
