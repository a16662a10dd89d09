"""The records app's vocabulary: the values of its fields, for other apps to name (their
views and services import no other app's models; docs/architecture.md)."""

from .models import DocumentKind, DocumentStatus, RetentionClass

__all__ = ["DocumentKind", "DocumentStatus", "RetentionClass"]
