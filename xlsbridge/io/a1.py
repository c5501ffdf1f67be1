"""Kept for io/settings_sheet.py until it moves to io/xlsx/cells.py (another change splits that module)."""

from .xlsx.cells import column_letter
from .xlsx.cells import column_offset as column_index

__all__ = ["column_letter", "column_index"]
