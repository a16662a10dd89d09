"""Report templates per modality and body part, as data: what a reader starts from. The
text is clinical Chinese, as the reports are written; a template the table lacks falls
back to the modality's, then to a blank one with the headings' usual wording."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportTemplate:
    technique: str = ""
    findings: str = ""
    impression: str = ""
    advice: str = ""


TEMPLATES: dict[tuple[str, str], ReportTemplate] = {
    ("CT", "CHEST"): ReportTemplate(
        technique="胸部CT平扫，层厚5 mm，肺窗及纵隔窗观察，薄层重建1.25 mm。",
        findings="双肺纹理清晰，走行自然，双肺野内未见明确实变及结节影。气管及主支气管通畅。"
        "纵隔居中，未见肿大淋巴结。心影大小形态未见异常。双侧胸腔未见积液。",
        impression="胸部CT平扫未见明显异常。",
        advice="结合临床。",
    ),
    ("CT", "HEAD"): ReportTemplate(
        technique="颅脑CT平扫，层厚5 mm。",
        findings="脑实质密度均匀，灰白质分界清楚，未见异常密度影。脑室系统大小形态正常，"
        "脑沟脑裂无增宽，中线结构居中。颅骨未见骨折。",
        impression="颅脑CT平扫未见明显异常。",
        advice="如症状持续，建议复查或行MR检查。",
    ),
    ("CT", "ABDOMEN"): ReportTemplate(
        technique="上腹部CT平扫，层厚5 mm。",
        findings="肝脏大小形态正常，密度均匀，未见异常密度灶。胆囊不大，壁不厚。胰腺、脾脏"
        "及双肾形态密度未见异常。腹膜后未见肿大淋巴结。",
        impression="上腹部CT平扫未见明显异常。",
        advice="结合临床及实验室检查。",
    ),
    ("MR", "HEAD"): ReportTemplate(
        technique="颅脑MR平扫：T1WI、T2WI、FLAIR、DWI序列。",
        findings="脑实质内未见异常信号，DWI未见弥散受限。脑室系统未见扩大，中线结构居中。",
        impression="颅脑MR平扫未见明显异常。",
        advice="结合临床。",
    ),
    ("MR", "LSPINE"): ReportTemplate(
        technique="腰椎MR平扫：矢状位T1WI、T2WI、STIR，横断位T2WI。",
        findings="腰椎生理曲度存在，椎体序列整齐，信号未见异常。各椎间盘信号及形态未见"
        "明显异常，椎管未见狭窄。",
        impression="腰椎MR平扫未见明显异常。",
        advice="结合临床。",
    ),
    ("DX", "CHEST"): ReportTemplate(
        technique="胸部正位片（DR）。",
        findings="双肺纹理清晰，未见实变影。心影不大，双膈面光整，双侧肋膈角锐利。",
        impression="心肺膈未见明显异常。",
        advice="结合临床。",
    ),
    ("US", "ABDOMEN"): ReportTemplate(
        technique="腹部超声检查。",
        findings="肝脏大小形态正常，包膜光滑，实质回声均匀。胆囊、胰腺、脾脏未见异常。",
        impression="肝胆胰脾超声未见明显异常。",
        advice="结合临床。",
    ),
}
# Computed radiography reads as digital radiography does.
TEMPLATES[("CR", "CHEST")] = TEMPLATES[("DX", "CHEST")]

BY_MODALITY: dict[str, ReportTemplate] = {
    "CT": ReportTemplate(technique="CT平扫。"),
    "MR": ReportTemplate(technique="MR平扫。"),
    "DX": ReportTemplate(technique="数字X线摄影（DR）。"),
    "CR": ReportTemplate(technique="计算机X线摄影（CR）。"),
    "US": ReportTemplate(technique="超声检查。"),
}


def template_for(*, modalities: list[str], body_part: str) -> ReportTemplate:
    part = body_part.upper()
    for m in modalities:
        found = TEMPLATES.get((m.upper(), part))
        if found is not None:
            return found
    for m in modalities:
        if m.upper() in BY_MODALITY:
            return BY_MODALITY[m.upper()]
    return ReportTemplate()
