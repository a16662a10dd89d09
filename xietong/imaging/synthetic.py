"""Synthetic DICOM studies for the demo, the tests and the benchmark: correct DICOM, no real
person. Each image is a phantom (an ellipse of soft tissue with a few brighter discs that move
from slice to slice), so a viewer shows something to window and scroll through.

    datasets = study_make(modality="CT", patient_id="MRN-1", patient_name="Wang^Fang", ...)
    data = dataset_bytes(datasets[0])      # a DICOM Part 10 file
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    CTImageStorage,
    DigitalXRayImageStorageForPresentation,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    MRImageStorage,
    RLELossless,
    generate_uid,
)

# Our UIDs are made under pydicom's root with random suffixes: unique, and obviously synthetic.
UID_PREFIX = "1.2.826.0.1.3680043.8.498."

SOP_CLASSES = {
    "CT": CTImageStorage,
    "MR": MRImageStorage,
    "DX": DigitalXRayImageStorageForPresentation,
}
BODY_PARTS = {"CT": "CHEST", "MR": "HEAD", "DX": "CHEST"}
DESCRIPTIONS = {"CT": "胸部CT平扫", "MR": "头颅MR平扫", "DX": "胸部正位片"}
# Window centre and width a reader would start from: soft tissue for CT, the full range else.
WINDOWS = {"CT": (40, 400), "MR": (600, 1200), "DX": (2048, 4096)}


@dataclass(frozen=True)
class Person:
    """Who the study is of, as the sending hospital writes it."""

    patient_id: str
    name: str  # DICOM PN, e.g. "Wang^Fang" or "王芳"
    birth_date: dt.date | None = None
    sex: str = ""  # M, F or O


def phantom(rows: int, cols: int, slice_index: int, modality: str) -> np.ndarray:
    """A 16-bit image: body ellipse, two 'lungs' for CT/DX, discs that shift with the slice."""
    y, x = np.mgrid[0:rows, 0:cols]
    cy, cx = rows / 2, cols / 2
    body = ((x - cx) / (cols * 0.42)) ** 2 + ((y - cy) / (rows * 0.36)) ** 2 <= 1
    if modality == "CT":  # Hounsfield units stored with a rescale intercept of -1024
        image = np.zeros((rows, cols), dtype=np.int32)  # air: -1024 HU
        image[body] = 1024 + 40
        for side in (-1, 1):
            lung = ((x - cx - side * cols * 0.18) / (cols * 0.14)) ** 2 + (
                (y - cy) / (rows * 0.24)
            ) ** 2 <= 1
            image[lung] = 1024 - 800
    elif modality == "DX":
        image = np.full((rows, cols), 300, dtype=np.int32)
        image[body] = 2600
    else:  # MR: grey matter and a bright rim
        image = np.zeros((rows, cols), dtype=np.int32)
        image[body] = 700
        rim = body & ~(((x - cx) / (cols * 0.38)) ** 2 + ((y - cy) / (rows * 0.32)) ** 2 <= 1)
        image[rim] = 1100
    for n in range(3):
        angle = slice_index * 0.25 + n * 2.1
        dy, dx = np.sin(angle) * rows * 0.12, np.cos(angle) * cols * 0.12
        disc = (x - cx - dx) ** 2 + (y - cy - dy) ** 2 <= (min(rows, cols) * 0.04) ** 2
        image[disc] = image.max() + 200 * (n + 1)
    return image.clip(0, 4095).astype(np.uint16)


def instance_make(
    *,
    person: Person,
    modality: str,
    study_uid: str,
    series_uid: str,
    series_number: int,
    instance_number: int,
    rows: int,
    cols: int,
    accession_number: str = "",
    study_date: dt.date | None = None,
    institution_name: str = "",
    transfer_syntax: UID = ExplicitVRLittleEndian,
    frame_of_reference: str = "",
) -> Dataset:
    """One image of a series, with its file meta information, ready to be written."""
    sop_class = SOP_CLASSES[modality]
    sop_instance = generate_uid(prefix=UID_PREFIX)
    when = study_date or dt.date.today()
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = sop_instance
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8: Chinese names and descriptions
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_instance
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.PatientID = person.patient_id
    ds.PatientName = person.name
    ds.PatientBirthDate = person.birth_date.strftime("%Y%m%d") if person.birth_date else ""
    ds.PatientSex = person.sex
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = when.strftime("%Y%m%d")
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = "093000"
    ds.AccessionNumber = accession_number
    ds.StudyID = "1"
    ds.StudyDescription = DESCRIPTIONS[modality]
    ds.SeriesDescription = f"{DESCRIPTIONS[modality]} {series_number}"
    ds.Modality = modality
    ds.BodyPartExamined = BODY_PARTS[modality]
    ds.InstitutionName = institution_name
    ds.ReferringPhysicianName = ""
    ds.Manufacturer = "Xietong synthetic"
    ds.SeriesNumber = series_number
    ds.InstanceNumber = instance_number
    ds.PatientPosition = "HFS" if modality != "DX" else ""
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"] if modality != "DX" else ["ORIGINAL"]
    if modality != "DX":
        thickness = 5.0
        ds.SliceThickness = thickness
        ds.ImagePositionPatient = [-rows / 2, -cols / 2, instance_number * thickness]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceLocation = instance_number * thickness
        ds.FrameOfReferenceUID = frame_of_reference or study_uid
    ds.PixelSpacing = [0.7, 0.7]
    if modality == "DX":
        ds.ImagerPixelSpacing = [0.15, 0.15]
        ds.PresentationIntentType = "FOR PRESENTATION"
        ds.ViewPosition = "PA"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = rows, cols
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelRepresentation = 0
    if modality == "CT":
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 1, "HU"
    centre, width = WINDOWS[modality]
    ds.WindowCenter, ds.WindowWidth = centre, width
    ds.PixelData = phantom(rows, cols, instance_number, modality).tobytes()
    if transfer_syntax != ExplicitVRLittleEndian:
        ds.compress(transfer_syntax)
    return ds


def study_make(
    *,
    person: Person,
    modality: str = "CT",
    series_count: int = 1,
    instances_per_series: int = 8,
    rows: int = 256,
    cols: int = 256,
    accession_number: str = "",
    study_date: dt.date | None = None,
    institution_name: str = "",
    study_uid: str | None = None,
    transfer_syntax: UID = ExplicitVRLittleEndian,
) -> list[Dataset]:
    """A whole study: `series_count` series of `instances_per_series` images each."""
    if modality not in SOP_CLASSES:
        raise ValueError(f"modality {modality!r}: one of {', '.join(SOP_CLASSES)}")
    study = study_uid or generate_uid(prefix=UID_PREFIX)
    out: list[Dataset] = []
    for s in range(1, series_count + 1):
        series = generate_uid(prefix=UID_PREFIX)
        frame_of_reference = generate_uid(prefix=UID_PREFIX)
        for n in range(1, instances_per_series + 1):
            out.append(
                instance_make(
                    person=person,
                    modality=modality,
                    study_uid=study,
                    series_uid=series,
                    series_number=s,
                    instance_number=n,
                    rows=rows,
                    cols=cols,
                    accession_number=accession_number,
                    study_date=study_date,
                    institution_name=institution_name,
                    transfer_syntax=transfer_syntax,
                    frame_of_reference=frame_of_reference,
                )
            )
    return out


def dataset_bytes(ds: Dataset) -> bytes:
    """The dataset as a DICOM Part 10 file (preamble, DICM, file meta, data set)."""
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


# Syntaxes the tests compress to with the encoders installed (RLE by pydicom itself, JPEG 2000
# by pylibjpeg-openjpeg).
COMPRESSED_SYNTAXES = (RLELossless, JPEG2000Lossless)
