"""Writing events out: CSV rows, JSON lines, reports."""
