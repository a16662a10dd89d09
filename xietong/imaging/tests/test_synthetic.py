"""The synthetic studies are correct DICOM that pydicom reads back, compressed or not."""

import datetime as dt
import io

import pytest
from pydicom import dcmread

from xietong.imaging.synthetic import COMPRESSED_SYNTAXES, Person, dataset_bytes, study_make

PERSON = Person(patient_id="MRN-7", name="王芳", birth_date=dt.date(1960, 3, 4), sex="F")


@pytest.mark.parametrize("modality", ["CT", "MR", "DX"])
def test_a_study_reads_back_with_its_person_and_pixels(modality):
    datasets = study_make(person=PERSON, modality=modality, series_count=2, instances_per_series=3)
    assert len(datasets) == 6
    assert len({d.SeriesInstanceUID for d in datasets}) == 2
    assert len({d.StudyInstanceUID for d in datasets}) == 1
    back = dcmread(io.BytesIO(dataset_bytes(datasets[0])))
    assert str(back.PatientName) == "王芳"
    assert back.PatientBirthDate == "19600304"
    assert back.Modality == modality
    pixels = back.pixel_array
    assert pixels.shape == (256, 256)
    assert pixels.max() > pixels.min()  # an image, not a blank


@pytest.mark.parametrize("syntax", COMPRESSED_SYNTAXES)
def test_compressed_studies_decode_to_the_same_pixels(syntax):
    plain = study_make(person=PERSON, modality="MR", instances_per_series=1)[0]
    packed = study_make(
        person=PERSON, modality="MR", instances_per_series=1, transfer_syntax=syntax
    )[0]
    back = dcmread(io.BytesIO(dataset_bytes(packed)))
    assert back.file_meta.TransferSyntaxUID == syntax
    assert (back.pixel_array == plain.pixel_array).all()


def test_an_unknown_modality_is_refused():
    with pytest.raises(ValueError, match="modality"):
        study_make(person=PERSON, modality="XX")
