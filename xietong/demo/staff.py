"""The demo's practitioners and experts, as plain data (see plan.py for why).

Provincial and municipal hospitals staff every clinical and diagnostic department; their
chief and associate chief physicians are in the expert library. County hospitals and
township centres get a few practitioners, who are not experts."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from xietong.directory.departments import READING_SERVICE_BY_DEPARTMENT, STANDARD_DEPARTMENTS

from .names import person_name
from .plan import ProvincePlan, stage_rng

# A fixed year keeps the generated profiles the same whatever the date of the run.
REFERENCE_YEAR = 2026

TITLE_LABEL = {
    "chief": "主任医师",
    "associate_chief": "副主任医师",
    "attending": "主治医师",
    "resident": "住院医师",
}
# Years in practice by title.
YEARS = {"chief": (20, 36), "associate_chief": (12, 22), "attending": (5, 12), "resident": (1, 5)}

# What the specialists of each department are known for (Chinese, as an expert library shows).
SPECIALTIES: dict[str, tuple[str, ...]] = {
    "03.01": (
        "慢性阻塞性肺疾病",
        "支气管哮喘",
        "肺部感染",
        "肺间质疾病",
        "呼吸衰竭",
        "肺结节诊治",
        "睡眠呼吸暂停",
    ),
    "03.02": ("消化道出血", "炎症性肠病", "肝硬化", "消化内镜诊疗", "胰腺炎", "幽门螺杆菌感染"),
    "03.03": ("脑血管病", "癫痫", "帕金森病", "头痛", "周围神经病", "重症肌无力", "认知障碍"),
    "03.04": ("冠心病介入治疗", "心力衰竭", "心律失常", "高血压", "心肌病", "结构性心脏病"),
    "03.05": ("白血病", "淋巴瘤", "贫血", "多发性骨髓瘤", "出凝血疾病"),
    "03.06": ("慢性肾脏病", "肾小球肾炎", "血液透析", "糖尿病肾病", "急性肾损伤"),
    "03.07": ("糖尿病", "甲状腺疾病", "骨质疏松", "肾上腺疾病", "垂体疾病"),
    "03.08": ("类风湿关节炎", "系统性红斑狼疮", "强直性脊柱炎", "痛风"),
    "04.01": ("甲状腺外科", "乳腺外科", "胃肠外科", "疝与腹壁外科", "血管外科"),
    "04.02": ("颅脑损伤", "脑肿瘤", "脑血管病介入", "脊髓脊柱疾病", "功能神经外科"),
    "04.03": ("关节置换", "脊柱外科", "创伤骨科", "运动医学", "骨肿瘤", "手足外科"),
    "04.04": ("泌尿系结石", "前列腺疾病", "泌尿系肿瘤", "腔镜微创手术"),
    "04.05": ("肺癌外科治疗", "食管癌", "纵隔肿瘤", "胸腔镜微创手术"),
    "04.10": ("肝胆结石", "肝脏肿瘤", "胆道疾病", "胰腺外科", "肝移植"),
    "05": ("妇科肿瘤", "高危妊娠", "产前诊断", "宫腹腔镜手术", "不孕症"),
    "07": (
        "小儿呼吸系统疾病",
        "新生儿疾病",
        "小儿神经疾病",
        "儿童哮喘",
        "小儿消化疾病",
        "儿童生长发育",
    ),
    "10": ("白内障", "青光眼", "眼底病", "屈光不正", "小儿眼病"),
    "11": ("鼻窦炎", "听力障碍", "咽喉肿瘤", "睡眠呼吸障碍外科"),
    "13": ("银屑病", "湿疹皮炎", "皮肤肿瘤", "性传播疾病"),
    "15": ("抑郁障碍", "精神分裂症", "焦虑障碍", "睡眠障碍", "老年精神障碍"),
    "16": ("病毒性肝炎", "发热待查", "艾滋病", "结核病", "重症感染"),
    "19": ("肺癌综合治疗", "消化道肿瘤", "乳腺癌", "肿瘤放化疗", "靶向与免疫治疗", "姑息治疗"),
    "20": ("急性中毒", "心肺复苏", "多发伤救治", "急性胸痛"),
    "21": ("脑卒中康复", "骨科术后康复", "心肺康复", "儿童康复"),
    "26": ("疼痛治疗", "危重患者麻醉", "小儿麻醉", "日间手术麻醉"),
    "28": ("脓毒症", "呼吸重症", "多器官功能障碍", "重症营养支持", "机械通气"),
    "30": ("临床生化检验", "临床微生物", "分子诊断", "输血医学"),
    "31": ("肿瘤病理诊断", "细胞病理", "术中冰冻诊断", "分子病理"),
    "32": ("胸部影像诊断", "神经影像诊断", "腹部影像诊断", "骨肌影像", "介入放射"),
    "32.05": ("腹部超声", "心脏超声", "妇产超声", "浅表器官超声", "介入超声"),
    "32.06": ("常规心电图诊断", "动态心电图", "心电生理", "运动负荷试验"),
    "50": ("中医内科", "针灸推拿", "中医妇科", "中医治未病"),
}

DEPARTMENT_NAMES = {d.code: d.name for d in STANDARD_DEPARTMENTS}

# The departments a county hospital and a township centre staff in the demo.
COUNTY_DEPARTMENTS = ("03", "04", "07", "20", "32", "05")
TOWNSHIP_DEPARTMENTS = ("02",)


@dataclass(frozen=True)
class PractitionerSpec:
    uuid: uuid.UUID
    name: str
    sex: str
    institution_code: str
    department_code: str
    title: str
    practising_since: int
    specialties: str
    licence_number: str
    accepts: tuple[str, ...] | None = None  # None: not in the expert library
    bio: str = ""


def specialist_departments() -> list[str]:
    """The departments with specialists: every code with its own specialty list."""
    return [d.code for d in STANDARD_DEPARTMENTS if d.code in SPECIALTIES]


def _counts(plan: ProvincePlan, level: str) -> dict[str, tuple[int, int]]:
    full = plan.scale.name == "full"
    if level == "provincial":
        if full:
            return {
                "chief": (2, 4),
                "associate_chief": (3, 5),
                "attending": (2, 4),
                "resident": (1, 2),
            }
        return {"chief": (1, 1), "associate_chief": (1, 1), "attending": (1, 1)}
    if full:
        return {"chief": (1, 2), "associate_chief": (2, 3), "attending": (1, 3)}
    return {"chief": (0, 1), "associate_chief": (1, 1)}


def _accepts(rng: random.Random, department: str, title: str) -> tuple[str, ...]:
    reading = READING_SERVICE_BY_DEPARTMENT.get(department)
    services = [reading, "consultation"] if reading else ["consultation", "referral"]
    if title == "chief" and rng.random() < 0.5:
        services.append("education")
    return tuple(services)


def practitioner(rng: random.Random, institution: str, department: str, title: str,
                 expert: bool) -> PractitionerSpec:  # fmt: skip
    sex = "M" if rng.random() < 0.55 else "F"
    years = rng.randint(*YEARS[title])
    pool = SPECIALTIES.get(department, ())
    chosen = rng.sample(pool, k=min(len(pool), rng.randint(1, 3))) if pool else []
    specialties = "、".join(chosen)
    name = person_name(rng, sex)
    dept_name = DEPARTMENT_NAMES[department]
    bio = ""
    if expert:
        bio = f"{dept_name}{TITLE_LABEL[title]}，从事临床工作{years}年"
        bio += f"，擅长{specialties}。" if specialties else "。"
    return PractitionerSpec(
        uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
        name=name,
        sex=sex,
        institution_code=institution,
        department_code=department,
        title=title,
        practising_since=REFERENCE_YEAR - years,
        specialties=specialties,
        licence_number=f"{rng.randrange(10**14, 10**15)}",
        accepts=_accepts(rng, department, title) if expert else None,
        bio=bio,
    )


def staff_plan(plan: ProvincePlan) -> list[PractitionerSpec]:
    rng = stage_rng(plan.seed, "staff")
    staff: list[PractitionerSpec] = []
    departments = specialist_departments()
    small = plan.scale.name == "small"
    municipal_departments = departments[::3] if small else departments
    hospitals = [(code, "provincial", departments) for code in plan.provincial_hospitals]
    hospitals += [
        (code, "municipal", municipal_departments) for code in plan.municipal_hospital.values()
    ]
    for code, level, depts in hospitals:
        counts = _counts(plan, level)
        for department in depts:
            for title, (low, high) in counts.items():
                for _i in range(rng.randint(low, high)):
                    expert = title in ("chief", "associate_chief")
                    staff.append(practitioner(rng, code, department, title, expert))
    per_department = (1, 1) if small else (1, 2)
    for code in plan.county_hospital.values():
        for department in COUNTY_DEPARTMENTS[: 3 if small else None]:
            for _i in range(rng.randint(*per_department)):
                title = rng.choice(("associate_chief", "attending", "attending", "resident"))
                staff.append(practitioner(rng, code, department, title, expert=False))
    for code in plan.township_centre.values():
        for department in TOWNSHIP_DEPARTMENTS:
            title = rng.choice(("attending", "resident"))
            staff.append(practitioner(rng, code, department, title, expert=False))
    return staff
