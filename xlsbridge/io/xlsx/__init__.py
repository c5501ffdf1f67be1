"""The .xlsx package, read and patched without an openpyxl round trip.

package.py   the one reader of a package: limits, decryption, the workbook part found through _rels
guard.py     what a package declares or would expand to, checked before any parser allocates it
cells.py     A1 column letters and Excel serial dates
xmltext.py   text-level XML helpers (parts are rewritten as text, never re-serialised)
styles.py    styles.xml, read and appended to
rels.py      relationships and content types
sheet_stream.py  a worksheet streamed row by row, only the changed cells rewritten
sheet_cells.py   what those cells become (new, kept as they are on a re-run, rewritten)
generated.py     generated sheets (料金集計, 期限・年齢) written as sheet XML
patch.py     XlsxPatch: the edits to one package, applied in a single pass over its parts
zip_out.py   the new package's zip, deflated on one worker thread while the parts are produced
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .patch import XlsxPatch
    from .sheet_cells import CellChange, Formatted
    from .sheet_stream import PatchResult
    from .xmltext import PatchUnsupported

__all__ = ["CellChange", "Formatted", "PatchResult", "PatchUnsupported", "XlsxPatch"]
_HOME = {"XlsxPatch": "patch", "CellChange": "sheet_cells", "Formatted": "sheet_cells",
         "PatchResult": "sheet_stream", "PatchUnsupported": "xmltext"}


def __getattr__(name: str) -> Any:
    """The patcher's names, imported on first use: a command that only reads a ledger (validate) reaches
    this package for package.py and cells.py and does not pay for the patcher's import."""
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
