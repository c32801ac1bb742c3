"""Reports: PDF documents (and, later, the de-identified national exports)."""
