"""Xietong front-end gateway (前置机): HIS messages to the platform, never lost."""

__version__ = "0.1.0"
