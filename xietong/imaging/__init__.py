"""Imaging collaboration: the DICOM archive (C-STORE, STOW-RS, the browser), DICOMweb for any
standard client and the viewer, the reading worklist and signed imaging reports."""
