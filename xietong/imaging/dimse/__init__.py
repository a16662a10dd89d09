"""The DICOM network side of the archive (DIMSE over TCP, pynetdicom): the receiver that
hospitals' PACS and modalities send studies to by C-STORE, and that answers C-ECHO."""

from .receiver import (
    STATUS_CANNOT_UNDERSTAND,
    STATUS_OUT_OF_RESOURCES,
    STATUS_SUCCESS,
    Ingest,
    Receiver,
    Sender,
    nodelay_set,
)

__all__ = [
    "STATUS_CANNOT_UNDERSTAND",
    "STATUS_OUT_OF_RESOURCES",
    "STATUS_SUCCESS",
    "Ingest",
    "Receiver",
    "Sender",
    "nodelay_set",
]
