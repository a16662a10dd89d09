"""DICOMweb (PS3.18) under /dicomweb/: STOW-RS, QIDO-RS and WADO-RS for any standard client
and the viewer, as plain Django views (docs/adr/0022-dicomweb.md)."""
