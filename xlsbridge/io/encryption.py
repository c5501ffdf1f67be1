"""msoffcrypto-tool, an optional extra (``pip install "xlsbridge[encryption]"``).

Only password-protected ledgers need it.  It is not part of the default install because it does not
install everywhere xlsbridge runs: inside xlwings Lite (Pyodide) its ``cryptography`` dependency has
no wheel, and there Excel has already opened the workbook, so its encryption is Excel's business.
"""

from __future__ import annotations

from types import ModuleType

from ..errors import WorkbookUnusable

EXTRA = "encryption"


def msoffcrypto(name: str) -> ModuleType:
    """The msoffcrypto module, or one line saying how to install it (for the workbook ``name``)."""
    try:
        import msoffcrypto as module
    except ImportError:
        raise WorkbookUnusable(
            f"{name} はパスワード付きです。パスワード付きの台帳を扱うには追加機能が必要です: "
            f'pip install "xlsbridge[{EXTRA}]"',
            f'{name} is password-protected; password-protected ledgers need the optional extra: '
            f'pip install "xlsbridge[{EXTRA}]"') from None
    return module
