"""Where a command's settings come from: the shipped default, an organisation TOML, or a ledger."""

from __future__ import annotations

from pathlib import Path

from ..domain.settings import Settings
from ..errors import UserError


def load_settings(path: Path | None, *, password: str | None = None) -> Settings:
    """Settings from ``path`` (.toml or a ledger .xlsx), or WEK's shipped schedule when None."""
    from ..io.settings_toml import default_settings, load_settings_toml

    if path is None:
        return default_settings()
    suffix = Path(path).suffix.lower()
    if suffix == ".toml":
        return load_settings_toml(Path(path))
    if suffix in (".xlsx", ".xlsm"):
        from ..io.workbook_settings import read_workbook_settings

        return read_workbook_settings(Path(path), password=password)
    raise UserError(
        f"--settings には台帳 (.xlsx) か団体設定ファイル (.toml) を指定してください: {Path(path).name}",
        f"--settings takes a ledger (.xlsx) or an organisation file (.toml): {Path(path).name}",
    )
