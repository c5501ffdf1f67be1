"""Settings <-> TOML: the organisation file an admin keeps under version control.

The TOML mirrors the Settings model field by field (see xlsbridge/data/settings/wek.toml, the shipped
default).  A file that breaks a rule is refused with the TOML path of the bad value.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..domain.settings import Settings
from ..errors import UserError

SHIPPED = ("wek",)


def load_settings_toml(path: Path) -> Settings:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"設定ファイルがありません: {path}", f"settings file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(
            f"設定ファイル {Path(path).name} を読めません（TOML の書き方の誤り）: {exc}",
            f"cannot read settings file {Path(path).name} (TOML syntax): {exc}",
        ) from None
    return settings_from_mapping(data, Path(path).name)


def settings_from_mapping(data: dict[str, Any], origin: str) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top)"
        raise UserError(
            f"設定 {origin} の {where} が正しくありません: {err['msg']}",
            f"settings {origin}: {where} is invalid: {err['msg']}",
        ) from None


def default_settings(name: str = "wek") -> Settings:
    """A shipped organisation profile (WEK's July 2018 leaflet is the default)."""
    text = resources.files("xlsbridge.data.settings").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return settings_from_mapping(tomllib.loads(text), f"{name}.toml")
