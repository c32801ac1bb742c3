"""Safehold's Qt layer: windows and views over the casework services."""
