"""A measurement report as the viewer saves it: an Enhanced SR of template TID 1500
(Imaging Measurement Report) holding one length measured on an image of the study, shaped as
OHIF's measurement tracking writes it through dcmjs. Built with pydicom, in our UID root."""

from __future__ import annotations

import datetime as dt

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from xietong.imaging.synthetic import UID_PREFIX

ENHANCED_SR = UID("1.2.840.10008.5.1.4.1.1.88.22")


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, scheme, meaning
    return code


def _item(relationship: str, value_type: str, name: Dataset) -> Dataset:
    item = Dataset()
    item.RelationshipType = relationship
    item.ValueType = value_type
    item.ConceptNameCodeSequence = Sequence([name])
    return item


def _image_reference(image: Dataset) -> Dataset:
    ref = Dataset()
    ref.ReferencedSOPClassUID = image.SOPClassUID
    ref.ReferencedSOPInstanceUID = image.SOPInstanceUID
    return ref


def measurement_report(image: Dataset, *, length_mm: float, name: str) -> Dataset:
    """One length on `image`, in a new SR series of its study (no pixel data)."""
    now = dt.datetime.now()
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ENHANCED_SR
    ds.SOPInstanceUID = generate_uid(prefix=UID_PREFIX)
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = ENHANCED_SR
    ds.Modality = "SR"
    copied = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID",
              "StudyDate", "StudyTime", "AccessionNumber", "StudyID")  # fmt: skip
    for keyword in copied:
        if keyword in image:
            setattr(ds, keyword, image.get(keyword))
    ds.SeriesInstanceUID = generate_uid(prefix=UID_PREFIX)
    ds.SeriesNumber = 3001
    ds.SeriesDescription = name
    ds.InstanceNumber = 1
    ds.ContentDate, ds.ContentTime = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    ds.Manufacturer = "Unspecified"
    ds.CompletionFlag, ds.VerificationFlag = "COMPLETE", "UNVERIFIED"
    ds.ValueType, ds.ContinuityOfContent = "CONTAINER", "SEPARATE"
    ds.ConceptNameCodeSequence = Sequence([_code("126000", "DCM", "Imaging Measurement Report")])
    template = Dataset()
    template.MappingResource, template.TemplateIdentifier = "DCMR", "1500"
    ds.ContentTemplateSequence = Sequence([template])
    evidence_series = Dataset()
    evidence_series.SeriesInstanceUID = image.SeriesInstanceUID
    evidence_series.ReferencedSOPSequence = Sequence([_image_reference(image)])
    evidence = Dataset()
    evidence.StudyInstanceUID = image.StudyInstanceUID
    evidence.ReferencedSeriesSequence = Sequence([evidence_series])
    ds.CurrentRequestedProcedureEvidenceSequence = Sequence([evidence])

    observer = _item("HAS OBS CONTEXT", "PNAME", _code("121008", "DCM", "Person Observer Name"))
    observer.PersonName = "unknown^unknown"
    procedure = _item("HAS CONCEPT MOD", "CODE", _code("121058", "DCM", "Procedure reported"))
    procedure.ConceptCodeSequence = Sequence([_code("363679005", "SCT", "Imaging procedure")])

    # The length: a NUM in mm, inferred from a polyline of two points on the image.
    value = Dataset()
    value.NumericValue = f"{length_mm:.2f}"
    value.MeasurementUnitsCodeSequence = Sequence([_code("mm", "UCUM", "millimeter")])
    length = _item("CONTAINS", "NUM", _code("410668003", "SCT", "Length"))
    length.MeasuredValueSequence = Sequence([value])
    points = _item("INFERRED FROM", "SCOORD", _code("111030", "DCM", "Image Region"))
    points.GraphicType = "POLYLINE"
    points.GraphicData = [10.0, 10.0, 10.0 + length_mm, 10.0]
    selected = Dataset()
    selected.RelationshipType, selected.ValueType = "SELECTED FROM", "IMAGE"
    selected.ReferencedSOPSequence = Sequence([_image_reference(image)])
    points.ContentSequence = Sequence([selected])
    length.ContentSequence = Sequence([points])
    tracking = _item("HAS OBS CONTEXT", "TEXT", _code("112039", "DCM", "Tracking Identifier"))
    tracking.TextValue = "Cornerstone3DTools@^0.1.0:Length"
    group = _item("CONTAINS", "CONTAINER", _code("125007", "DCM", "Measurement Group"))
    group.ContinuityOfContent = "SEPARATE"
    group.ContentSequence = Sequence([tracking, length])
    measurements = _item("CONTAINS", "CONTAINER", _code("126010", "DCM", "Imaging Measurements"))
    measurements.ContinuityOfContent = "SEPARATE"
    measurements.ContentSequence = Sequence([group])
    ds.ContentSequence = Sequence([observer, procedure, measurements])
    return ds
