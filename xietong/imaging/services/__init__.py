"""Writes to the archive: storing instances, and linking a study to its patient."""

from .ingest import InstanceOutcome, instance_store, instances_store
from .linking import study_link, study_unlink

__all__ = ["InstanceOutcome", "instance_store", "instances_store", "study_link", "study_unlink"]
