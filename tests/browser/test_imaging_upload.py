"""A county doctor sends a patient's studies from the browser: loose files, a zip and a stray
text file chosen at once, each study shown before sending, a progress bar per study, the
studies in the patient's list without a reload, a study of someone else said to be waiting
for reconciliation, and the same files chosen again after a reload sending nothing."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MediaStorageDirectoryStorage, generate_uid

from tests.browser.helpers import expect_kit_buttons, horizontal_overflow_px, sign_in
from xietong.accounts.models import User
from xietong.consultations.models import ConsultationStudy
from xietong.consultations.tests.world import make_world
from xietong.core.models import AuditEvent, AuditOutcome
from xietong.imaging.models import Instance, Study
from xietong.imaging.synthetic import Person, dataset_bytes
from xietong.imaging.tests.world import a_patient, a_sender, a_study, person_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts"


def _file(name: str, data: bytes, mime: str = "application/dicom") -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def _dicomdir() -> bytes:
    """The index a disc carries beside its images (a DICOMDIR, without records here)."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = MediaStorageDirectoryStorage
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.FileSetID = "CD1"
    return dataset_bytes(ds)


def _posts(page: Any) -> list[str]:
    """The STOW-RS requests the page sends from now on."""
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.url) if r.method == "POST" and "/dicomweb/" in r.url else None,
    )
    return sent


def _drop(page: Any, target: Any, files: dict[str, bytes]) -> None:
    """Files dragged from the desktop and dropped on `target` (the section or fieldset of
    the upload takes them, not only its dashed box)."""
    named = [{"name": n, "data": base64.b64encode(d).decode()} for n, d in files.items()]
    transfer = page.evaluate_handle(
        """(files) => {
             const transfer = new DataTransfer();
             for (const f of files) {
               const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
               transfer.items.add(new File([bytes], f.name));
             }
             return transfer;
           }""",
        named,
    )
    target.dispatch_event("dragover", {"dataTransfer": transfer})
    target.dispatch_event("drop", {"dataTransfer": transfer})


def _shot(page: Any, name: str, width: int, part: str = "section#imaging") -> None:
    """That part of the page at that width, kept for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.locator(part).screenshot(path=str(SHOTS / f"imaging-upload-{name}-{width}.png"))


def test_upload_files_zip_and_a_stranger_then_again_sends_nothing(page: Any) -> None:
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution, mrn="MRN-1", name="王芳")
    ct = a_study(person_of(patient), modality="CT", instances_per_series=3)
    dx = a_study(person_of(patient), modality="DX", instances_per_series=2)
    stranger = a_study(Person("MRN-404", "李四"), modality="MR", instances_per_series=1)
    stranger[0].SpecificCharacterSet = "GB18030"  # as many of our hospitals' PACS write names
    loose = [_file(f"CT/IM{n}.dcm", dataset_bytes(ds)) for n, ds in enumerate(ct)]
    zipped = _zip({f"DX/IM{n}": dataset_bytes(ds) for n, ds in enumerate(dx)})
    chosen = [
        *loose,
        _file("dx.zip", zipped, "application/zip"),
        _file("stranger.dcm", dataset_bytes(stranger[0])),
        _file("说明.txt", "不是影像".encode(), "text/plain"),
        _file("cut.zip", zipped[: len(zipped) // 2], "application/zip"),
        _file("DICOMDIR", _dicomdir()),
    ]
    sign_in(page, str(User.objects.get(pk=sender.membership.user_id).username))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/patients/{patient.uuid}/")
    section = page.locator("section#imaging")
    expect(section.get_by_role("button", name="选择文件或压缩包")).to_be_visible()
    expect(section.get_by_role("button", name="选择文件夹")).to_be_visible()
    # The chooser opens from the keyboard.
    with page.expect_file_chooser() as chooser:
        section.get_by_role("button", name="选择文件或压缩包").press("Enter")
    chooser.value.set_files(chosen)

    # Before anything is sent: each study with its patient, date, modality and count, and
    # the text file refused with its reason.
    cards = section.locator(".xt-dicom-study")
    expect(cards).to_have_count(3)
    ct_card = section.locator(f'[data-study-uid="{ct[0].StudyInstanceUID}"]')
    expect(ct_card).to_contain_text("王芳")
    expect(ct_card).to_contain_text("MRN-1")
    expect(ct_card).to_contain_text("CT")
    expect(ct_card).to_contain_text("胸部CT平扫")
    expect(ct_card).to_contain_text("3 幅图像")
    dx_card = section.locator(f'[data-study-uid="{dx[0].StudyInstanceUID}"]')
    expect(dx_card).to_contain_text("2 幅图像")
    stranger_card = section.locator(f'[data-study-uid="{stranger[0].StudyInstanceUID}"]')
    expect(stranger_card).to_contain_text("李四")
    expect(stranger_card).to_contain_text("不是本页的患者")  # warned before sending
    expect(section.locator("[data-refused]")).to_contain_text("说明.txt")
    expect(section.locator("[data-refused]")).to_contain_text("不是 DICOM 文件")
    expect(section.locator("[data-refused]")).to_contain_text("cut.zip: zip 压缩包无法解压")
    expect(section.locator("[data-refused]")).to_contain_text("DICOMDIR: 这是光盘的文件索引")
    assert Instance.objects.count() == 0
    _shot(page, "chosen", 1366)
    _shot(page, "chosen", 390)
    assert horizontal_overflow_px(page) <= 0
    expect_kit_buttons(page)

    posts = _posts(page)
    section.get_by_role("button", name="上传到影像档案").click()
    for card in (ct_card, dx_card, stranger_card):
        expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(section.locator("[data-status]")).to_have_text("所有图像均已存入档案。")
    assert len(posts) == 6  # one request per instance
    # Asking the archive what it has of a study it does not know yet is no refused read.
    assert not AuditEvent.objects.filter(outcome=AuditOutcome.MINOR_FAILURE).exists()
    # Kept as the browser's upload, told apart from a PACS's STOW-RS.
    assert Instance.objects.filter(route="upload").count() == 6

    # The patient's studies are in the list without a reload; the stranger's is not, and
    # its card says where it went.
    table = section.locator("[data-study-list] table")
    expect(table.locator(f'tr[data-study="{ct[0].StudyInstanceUID}"]')).to_be_visible()
    expect(table.locator(f'tr[data-study="{dx[0].StudyInstanceUID}"]')).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(ct_card).to_contain_text("已在本患者的影像检查列表中")
    expect(stranger_card).to_contain_text("待关联的影像检查列表")
    expect(stranger_card.get_by_role("link", name="打开待关联的影像检查")).to_have_attribute(
        "href", "/imaging/reconcile/"
    )
    assert Study.objects.get(study_instance_uid=stranger[0].StudyInstanceUID).patient is None
    _shot(page, "sent", 1366)
    _shot(page, "sent", 390)
    assert horizontal_overflow_px(page) <= 0

    # After a reload the same files again: the archive has them all, nothing is sent.
    page.reload()
    posts.clear()
    section.locator("input[data-input=files]").set_input_files(chosen)
    expect(cards).to_have_count(3)
    section.get_by_role("button", name="上传到影像档案").click()
    expect(section.locator("[data-status]")).to_have_text("所有图像均已存入档案。")
    expect(ct_card).to_contain_text("3 幅已在档案中，不再发送")
    expect(ct_card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    assert posts == []
    assert Instance.objects.count() == 6


def test_a_file_the_archive_refuses_is_listed_with_its_reason_and_sent_again(page: Any) -> None:
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution, mrn="MRN-1", name="王芳")
    ct = a_study(person_of(patient), modality="CT", instances_per_series=2)
    whole = dataset_bytes(ct[1])
    files = [_file("IM0.dcm", dataset_bytes(ct[0])), _file("IM1.dcm", whole[: len(whole) - 600])]
    sign_in(page, str(User.objects.get(pk=sender.membership.user_id).username))
    page.goto(f"/patients/{patient.uuid}/")
    section = page.locator("section#imaging")
    section.locator("input[data-input=files]").set_input_files(files)
    card = section.locator(".xt-dicom-study")
    section.get_by_role("button", name="上传到影像档案").click()
    errors = card.locator(".xt-dicom-errors")
    expect(errors).to_contain_text("1 幅图像未能存入")
    expect(errors).to_contain_text("IM1.dcm")
    expect(errors).to_contain_text("DICOM文件不完整")
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "50")
    # The one that arrived is on the patient's list already.
    expect(section.locator(f'tr[data-study="{ct[0].StudyInstanceUID}"]')).to_contain_text(
        "1 幅图像"
    )
    assert horizontal_overflow_px(page) <= 0

    # The whole file chosen again; the retry sends only it.
    posts = _posts(page)
    section.locator("input[data-input=files]").set_input_files([_file("IM1.dcm", whole)])
    retry = card.get_by_role("button", name="重新发送失败的图像")
    retry.click()
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(errors).to_be_hidden()
    expect(section.locator("[data-status]")).to_have_text("所有图像均已存入档案。")
    expect(section.locator(f'tr[data-study="{ct[0].StudyInstanceUID}"]')).to_contain_text(
        "2 幅图像"
    )
    assert len(posts) == 1
    assert Instance.objects.count() == 2


def test_on_the_request_form_the_uploaded_study_is_chosen_for_the_consultation(page: Any) -> None:
    world = make_world()
    patient = world.patient  # known to the county hospital by their resident ID
    person = Person(patient.resident_id or "", patient.name, patient.birth_date, "F")
    mr = a_study(person, modality="MR", instances_per_series=2)
    sign_in(page, str(User.objects.get(pk=world.requester.user_id).username))
    page.goto(f"/consultations/new/?patient={patient.uuid}")
    studies = page.locator("fieldset#studies")
    expect(studies).to_contain_text("该患者在影像归档中尚无检查")
    page.locator("textarea[name=reason]").fill("头痛待查")
    _drop(
        page,
        studies.locator("legend"),
        {f"IM{n}.dcm": dataset_bytes(ds) for n, ds in enumerate(mr)},
    )
    studies.get_by_role("button", name="上传到影像档案").click()
    box = studies.locator(f'input[data-study-uid="{mr[0].StudyInstanceUID}"]')
    expect(box).to_be_checked()
    expect(studies.locator(".xt-dicom-study")).to_contain_text("已为本次会诊选中")
    for width in (1366, 390):
        _shot(page, "request", width, "fieldset#studies")
        assert horizontal_overflow_px(page) <= 0
    # What the doctor typed is still there; saving the draft attaches the study.
    expect(page.locator("textarea[name=reason]")).to_have_value("头痛待查")
    assert horizontal_overflow_px(page) <= 0
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    attached = ConsultationStudy.objects.get()
    assert attached.study.study_instance_uid == mr[0].StudyInstanceUID


def test_a_dropped_line_resumes_where_it_stopped(page: Any, tmp_path: Path) -> None:
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution, mrn="MRN-1", name="王芳")
    ct = a_study(person_of(patient), modality="CT", instances_per_series=5)
    folder = tmp_path / "CT"
    folder.mkdir()
    for n, ds in enumerate(ct):
        (folder / f"IM{n}").write_bytes(dataset_bytes(ds))
    sign_in(page, str(User.objects.get(pk=sender.membership.user_id).username))
    page.goto(f"/patients/{patient.uuid}/")
    section = page.locator("section#imaging")
    with page.expect_file_chooser() as chooser:
        section.get_by_role("button", name="选择文件夹").click()
    chooser.value.set_files(str(folder))
    card = section.locator(".xt-dicom-study")
    expect(card).to_contain_text("5 幅图像")

    # The line drops under the second and fourth image.
    posts = _posts(page)
    stows = 0

    def flaky(route: Any) -> None:
        nonlocal stows
        stows += route.request.method == "POST"
        if route.request.method == "POST" and stows in (2, 4):
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/dicomweb/studies", flaky)
    section.get_by_role("button", name="上传到影像档案").click()
    errors = card.locator(".xt-dicom-errors")
    expect(errors).to_contain_text("2 幅图像未能存入")
    expect(errors).to_contain_text("影像档案应答前网络连接中断")
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "60")
    assert Instance.objects.count() == 3
    page.unroute("**/dicomweb/studies")

    # After a reload the folder again: the archive's list says which three it has.
    page.reload()
    posts.clear()
    with page.expect_file_chooser() as chooser:
        section.get_by_role("button", name="选择文件夹").click()
    chooser.value.set_files(str(folder))
    section.get_by_role("button", name="上传到影像档案").click()
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(card).to_contain_text("3 幅已在档案中，不再发送")
    expect(section.locator(f'tr[data-study="{ct[0].StudyInstanceUID}"]')).to_contain_text(
        "5 幅图像"
    )
    assert len(posts) == 2
    assert Instance.objects.count() == 5
