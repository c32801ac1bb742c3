"""Safehold's domain layer: vault, model, services, reporting. Never imports Qt."""

__version__ = "0.1.0"
