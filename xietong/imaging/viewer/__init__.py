"""The OHIF viewer under /viewer/: its prebuilt files, its configuration for our DICOMweb,
and the links to it from the pages (docs/adr/0023-viewer.md)."""

from .links import viewer_url

__all__ = ["viewer_url"]
