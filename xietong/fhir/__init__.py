"""The FHIR R4 REST surface (/fhir/R4/): apps register readers and searchers per resource type."""
