"""Where a command's settings come from: the one dispatcher between the shipped default, an
organisation TOML file and a ledger's 設定/区域 sheets (any template version).

``quote --settings``, ``bundle --settings`` and ``settings export`` all come here; the ledger reader
reads the settings sheets of the ledger it reads, the same way (io/settings_sheet.py).
"""

from __future__ import annotations

from pathlib import Path

from ..domain.settings import Settings
from ..errors import UserError


def load_settings(path: Path | None, *, password: str | None = None, shipped: str | None = None) -> Settings:
    """Settings from ``path`` (.toml, or a ledger .xlsx/.xlsm), else the shipped profile ``shipped``,
    else WEK's shipped schedule."""
    from ..io.settings_toml import default_settings, load_settings_toml

    if path is None:
        return default_settings(shipped) if shipped is not None else default_settings()
    suffix = Path(path).suffix.lower()
    if suffix == ".toml":
        return load_settings_toml(Path(path))
    if suffix in (".xlsx", ".xlsm"):
        from ..io.upgrade import read_ledger_settings

        return read_ledger_settings(Path(path), password)[0]
    raise UserError(
        f"--settings には台帳 (.xlsx) か団体設定ファイル (.toml) を指定してください: {Path(path).name}",
        f"--settings takes a ledger (.xlsx) or an organisation file (.toml): {Path(path).name}",
    )
