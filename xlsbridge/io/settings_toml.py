"""Settings <-> TOML: the organisation file an admin keeps under version control.

The TOML mirrors the Settings model field by field (see xlsbridge/data/settings/wek.toml, the shipped
default).  A file that breaks a rule is refused with the line and the TOML key of the bad value
(:func:`check_settings_text` lists every problem, for `xlsbridge settings check`).
:func:`settings_to_toml` writes the file back from Settings — commented, in a stable key order — so
``load(export(s)) == s`` (`xlsbridge settings export`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..domain.settings import PLAN_SOURCES, Settings, cancellation_as_written, settings_refusals
from ..errors import UserError
from ..i18n import t
from ..textfmt import ljust, width
from .codecs import explain_model_error

# The shipped organisation profiles (xlsbridge/data/settings/<name>.toml): WEK is the default; the
# others are fictional examples of the rule kinds and of a municipality's plan-sheet variant.
SHIPPED = ("wek", "example-tokyo", "example-flat", "example-city")


def load_settings_toml(path: Path) -> Settings:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"設定ファイルがありません: {path}", f"settings file not found: {path}") from None
    except IsADirectoryError:
        raise UserError(f"{path.name} はフォルダーです。団体設定ファイル (.toml) を指定してください",
                        f"{path.name} is a folder; give the organisation file (.toml)") from None
    except UnicodeDecodeError:
        raise UserError(f"設定ファイル {path.name} を読めません。UTF-8 で保存してください",
                        f"cannot read settings file {path.name}; save it as UTF-8") from None
    settings, problems = check_settings_text(text, path.name)
    if settings is None:
        first = problems[0]
        more = len(problems) - 1
        extra_ja = f"（ほか {more} 件: xlsbridge settings check {path.name} で一覧）" if more else ""
        extra_en = f" (and {more} more: xlsbridge settings check {path.name})" if more else ""
        raise UserError(f"設定ファイル {path.name} の {_where(first, 'ja')}: {first.ja}{extra_ja}",
                        f"settings file {path.name}, {_where(first, 'en')}: {first.en}{extra_en}")
    return settings


def _where(p: "TomlProblem", lang: str) -> str:
    if lang == "ja":
        return f"{p.line}行目 {p.key}" if p.line else p.key
    return f"line {p.line} {p.key}" if p.line else p.key


def settings_from_mapping(data: dict[str, Any], origin: str) -> Settings:
    try:
        return Settings.model_validate(as_written(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _key_text(tuple(err["loc"]))
        ja, en = _explain(err)
        raise UserError(f"設定 {origin} の {where}: {ja}", f"settings {origin}: {where}: {en}") from None


def default_settings(name: str = "wek") -> Settings:
    """A shipped organisation profile (WEK's July 2018 leaflet is the default)."""
    return settings_from_mapping(tomllib.loads(shipped_text(name)), f"{name}.toml")


def shipped_text(name: str) -> str:
    """The text of a shipped profile (one of :data:`SHIPPED`)."""
    if name not in SHIPPED:
        raise UserError(f"同梱の設定 {name} はありません（あるもの: {', '.join(SHIPPED)}）",
                        f"no shipped profile {name} (there are: {', '.join(SHIPPED)})")
    return resources.files("xlsbridge.data.settings").joinpath(f"{name}.toml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Checking a file: every problem, with the line and the TOML key
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TomlProblem:
    """One thing wrong in an organisation file: where (line, key) and what to do."""

    line: int | None  # 1-based line of the key or table, None when it is about the whole file
    key: str  # "schedules[1].support_types[2].extension.max_minutes" (1-based indexes)
    ja: str
    en: str

    def where(self) -> str:
        line = t(f"{self.line}行目 ", f"line {self.line} ") if self.line else ""
        return f"{line}{self.key}"

    def message(self) -> str:
        return f"{self.where()}: {t(self.ja, self.en)}"


def check_settings_text(text: str, origin: str) -> tuple[Settings | None, list[TomlProblem]]:
    """Parse and validate an organisation file; every problem found, each with its line and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        return None, [TomlProblem(int(m.group(1)) if m else None, "(TOML)",
                                  f"TOML の書き方の誤りです（{exc}）。引用符・括弧・= を確かめてください",
                                  f"TOML syntax error ({exc}); check quotes, brackets and =")]
    data = as_written(data)
    lines = _key_lines(text)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        problems = []
        for err in errors:
            loc = tuple(err["loc"])
            if not loc and err["type"] == "value_error":
                loc = _across_items(data)  # a rule across schedules or areas: the one that breaks it
            if err["type"] == "too_short" and any(len(o["loc"]) > len(loc) and tuple(o["loc"][:len(loc)]) == loc
                                                  for o in errors):
                continue  # "no schedule left" only because one of them failed: that one is reported
            ja, en = _explain(err)
            problems.append(TomlProblem(_line_of(lines, loc), _key_text(loc), ja, en))
        problems.sort(key=lambda p: (p.line is None, p.line or 0))
        return None, problems
    refused = [TomlProblem(_line_of(lines, loc), _key_text(loc), ja, en) for loc, ja, en in settings_refusals(settings)]
    return (None, refused) if refused else (settings, [])


def as_written(data: Any) -> Any:
    """What an organisation file means where it leaves something out that the models default for WEK:
    a schedule without cancellation tiers has none (:func:`cancellation_as_written`)."""
    if not isinstance(data, dict) or not isinstance(data.get("schedules"), list):
        return data
    schedules = [{**s, "cancellation": cancellation_as_written(s.get("cancellation"))} if isinstance(s, dict) else s
                 for s in data["schedules"]]
    return {**data, "schedules": schedules}


def _across_items(data: dict[str, Any]) -> tuple[Any, ...]:
    """The schedule or area whose addition breaks a rule across them (overlapping dates, a place
    listed twice): the items are added one at a time, as the settings sheet does."""
    for key, field in (("schedules", "effective_from"), ("areas", "municipality")):
        items = data.get(key) or []
        base = {**data, "areas": []} if key == "schedules" else data
        for n in range(2, len(items) + 1):
            try:
                Settings.model_validate({**base, key: items[:n]})
            except ValidationError as exc:
                if not exc.errors()[0]["loc"]:
                    return (key, n - 1, field)
    return ()

def _key_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out or t("（ファイル全体）", "(whole file)")


# How the settings file words pydantic's errors (TOML syntax: quotes, arrays, tables); io/codecs.py has the rest.
_FILE_WORDING: dict[str, tuple[str, str]] = {
    "missing": ("この項目が必要です。書き加えてください", "required; add it"),
    "extra_forbidden": ("この項目はありません。綴りを確かめてください（docs/admin.md に項目の一覧があります）",
                        "unknown key; check the spelling (docs/admin.md lists the keys)"),
    "string_too_short": ("空にできません", "must not be empty"),
    "int_type": ("整数で書いてください（例 500。引用符は付けません）", "write a whole number (e.g. 500, no quotes)"),
    "int_parsing": ("整数で書いてください（例 500。引用符は付けません）", "write a whole number (e.g. 500, no quotes)"),
    "int_from_float": ("小数点なしの整数で書いてください", "write a whole number without a decimal point"),
    "bool_type": ("true か false で書いてください（引用符なし）", "write true or false (no quotes)"),
    "bool_parsing": ("true か false で書いてください（引用符なし）", "write true or false (no quotes)"),
    "string_type": ("文字列は \"…\" で囲んで書いてください", "write text in double quotes"),
    "date_type": ("日付は 2025-04-01 のように書いてください（引用符なし）", "write a date as 2025-04-01 (no quotes)"),
    "date_parsing": ("日付は 2025-04-01 のように書いてください（引用符なし）", "write a date as 2025-04-01 (no quotes)"),
    "date_from_datetime_inexact": ("日付だけを書いてください（時刻なし、例 2025-04-01）", "write a date without a time"),
    "time_type": ("時刻は 12:00:00 のように秒まで書いてください（引用符なし）", "write a time as 12:00:00 (no quotes)"),
    "time_parsing": ("時刻は 12:00:00 のように秒まで書いてください（引用符なし）", "write a time as 12:00:00 (no quotes)"),
    "decimal_parsing": ("数で書いてください（例 12.5）", "write a number (e.g. 12.5)"),
    "decimal_type": ("数で書いてください（例 12.5）", "write a number (e.g. 12.5)"),
    "tuple_type": ("配列 [ … ] で書いてください", "write an array [ … ]"),
    "model_type": ("表（[…] の見出しか { … }）で書いてください", "write a table ([…] header or { … })"),
    "dict_type": ("表（[…] の見出しか { … }）で書いてください", "write a table ([…] header or { … })"),
}


def _explain(err: Mapping[str, Any]) -> tuple[str, str]:
    """Japanese and English for one pydantic error; a choice names each value with its Japanese term."""
    ja, en = explain_model_error(err, _FILE_WORDING)
    if err["type"] == "literal_error":
        values = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
        terms = _choice_terms()
        if values:
            ja = "次のどれかにしてください: " + " / ".join(
                f'"{v}"（{terms[v]}）' if v in terms else f'"{v}"' for v in values)
    return ja, en


@lru_cache(maxsize=1)
def _choice_terms() -> dict[str, str]:
    """Each choice a settings field offers ("fraction_of_base") -> its Japanese term (基本料金の割合),
    as the 設定 sheet writes it."""
    from . import settings_sheet_cells as cells

    out: dict[str, str] = {}
    for codec in (cells.PARENT, cells.EXCLUSION, cells.AGE_RULE, cells.ADDON, cells.PARTIAL, cells.SCOPE,
                  cells.TRANSPORT, cells.PAYER, cells.COSTS_SPLIT, cells.SURCHARGE_BASE):
        for label in codec.choices:
            out.setdefault(str(codec.read(label)), label)
    return out


_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_-]+)\s*=')


def _key_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Concrete path (with array indexes) -> the line that opens that table or sets that key.

    A plain line scan, enough for the files admins write: table headers, array-of-tables headers
    and ``key = value`` lines (continuation lines of multi-line arrays are skipped).
    """
    found: dict[tuple[Any, ...], int] = {}
    counts: dict[tuple[Any, ...], int] = {}
    current: tuple[Any, ...] = ()
    depth = 0  # open brackets of a multi-line value
    for number, line in enumerate(text.splitlines(), start=1):
        code = _strip_comment(line)
        if depth:
            depth = max(0, depth + code.count("[") + code.count("{") - code.count("]") - code.count("}"))
            continue
        table = _TABLE.match(code)
        if table:
            names = [n.strip().strip('"') for n in table.group(2).split(".")]
            concrete: list[Any] = []
            for i, name in enumerate(names):
                concrete.append(name)
                prefix = tuple(concrete)
                is_last = i == len(names) - 1
                if is_last and table.group(1) == "[[":
                    counts[prefix] = counts.get(prefix, 0) + 1
                    for key in [k for k in counts if len(k) > len(prefix) and k[: len(prefix)] == prefix]:
                        del counts[key]  # nested arrays restart under a new element
                    concrete.append(counts[prefix] - 1)
                elif prefix in counts:
                    concrete.append(counts[prefix] - 1)
            current = tuple(concrete)
            found.setdefault(current, number)
            continue
        key = _KEY.match(code)
        if key:
            found.setdefault((*current, key.group(1).strip('"')), number)
            rest = code[key.end():]
            depth = max(0, rest.count("[") + rest.count("{") - rest.count("]") - rest.count("}"))
    return found


def _strip_comment(line: str) -> str:
    out, quoted = [], False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        if ch == "#" and not quoted:
            break
        out.append(ch)
    return "".join(out).rstrip()


def _line_of(lines: Mapping[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


# --------------------------------------------------------------------------------------------------
# Writing: Settings -> a commented TOML file that loads back to the same Settings
# --------------------------------------------------------------------------------------------------


def settings_to_toml(settings: Settings) -> str:
    """The organisation file for ``settings``: commented, keys in the models' order, stable.

    ``settings_from_mapping(tomllib.loads(settings_to_toml(s))) == s`` for every valid ``s``.  Every
    field is written (even at its default) so the file shows all there is to set; ``None`` (no end
    date, no limit) is left out because TOML has no null.  Comments give the 設定 sheet's label for
    each key, so an admin can move between the file and the workbook.
    """
    w = _Writer()
    w.comment(f"団体設定ファイル（xlsbridge）: {settings.organisation}")
    w.comment("xlsbridge settings export で書き出しました。台帳の「設定」「区域」シートと同じ内容です。")
    w.comment("確かめる: xlsbridge settings check このファイル / 台帳を作る: xlsbridge template new 台帳.xlsx --settings このファイル")
    w.comment("項目の説明: docs/admin.md, docs/settings-sheet.md（# の後ろは「設定」シートの見出しと説明）")
    w.blank()
    w.scalar("organisation", settings.organisation, _sheet_comments()["organisation"])
    w.array("office_holidays", list(settings.office_holidays), "休業日（国民の祝日以外）: 事務所が休む日の記録。支払期限は暦日で数え、休業日・祝日でも動きません")
    w.blank()
    w.comment("---- 規則（設定シート ■ 基本設定） " + "-" * 40)
    w.header("[rules]")
    _fields(w, "rules", settings.rules)
    w.blank()
    w.comment("---- 計画書の様式（親子交流支援計画書）: 国の事業の年齢上限は [rules] の national_* " + "-" * 8)
    w.comment("extra_items の source: " + ", ".join(PLAN_SOURCES))
    w.header("[plan]")
    plan = settings.plan
    w.scalar("name", plan.name, "様式の名前（例 国の様式、○○市様式）")
    w.scalar("min_child_rows", plan.min_child_rows, "子ども欄の行数（子どもが多ければ増える）")
    w.scalar("min_progress_rows", plan.min_progress_rows, "支援経過の行数（面会が多ければ増える）")
    if plan.extra_items:
        w.scalar("extra_items", _Raw("["), "8. 支援員氏名 の後に足す項目（label: 印刷する見出し、source: ケースのどの値か）")
        for item in plan.extra_items:
            w.line(f"  {{ label = {_value(item.label)}, source = {_value(item.source)} }},")
        w.line("]")
    else:
        w.scalar("extra_items", [], "追加項目なし（国の様式のまま）")
    for schedule in settings.schedules:
        w.blank()
        until = f"{schedule.effective_to.isoformat()} まで" if schedule.effective_to else "次の料金表まで"
        w.comment(f"---- 料金表「{schedule.name}」 {schedule.effective_from.isoformat()} から {until} " + "-" * 12)
        w.header("[[schedules]]")
        _fields(w, "schedules", schedule)
    if settings.areas:
        w.blank()
        w.comment("---- 区域表（区域シート）: municipality 市町村 / out_of_area 区域外 / fare 交通費(円) /")
        w.comment("     distance_km 距離(km)・片道 / fare_is_sample 見本の金額（確かめたら消す）。既定値の項目は省略")
        for area in settings.areas:
            w.header("[[areas]]")
            _fields(w, "areas", area, skip_defaults=True, keep=("municipality",), comments=False)
    return w.text()


class _Writer:
    COMMENT_COLUMN = 38

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.explained: set[str] = set()

    def line(self, text: str) -> None:
        self.lines.append(text)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def comment(self, text: str) -> None:
        self.lines.append(f"# {_one_line(text)}")

    def header(self, text: str) -> None:
        if self.lines and self.lines[-1] != "" and not self.lines[-1].startswith("#"):
            self.lines.append("")
        self.lines.append(text)

    def scalar(self, key: str, value: Any, comment: str = "") -> None:
        self._keyed(f"{key} = {_value(value)}", comment)

    def array(self, key: str, values: list[Any], comment: str = "") -> None:
        if len(values) <= 4:
            self._keyed(f"{key} = [{', '.join(_value(v) for v in values)}]", comment)
            return
        self._keyed(f"{key} = [", comment)
        for v in values:
            self.lines.append(f"  {_value(v)},")
        self.lines.append("]")

    def _keyed(self, code: str, comment: str) -> None:
        if not comment:
            self.lines.append(code)
        elif width(code) >= self.COMMENT_COLUMN + 24:  # a long line: the comment goes above it
            self.lines.append(f"# {comment}")
            self.lines.append(code)
        else:
            self.lines.append(f"{ljust(code, self.COMMENT_COLUMN - 1)} # {comment}")

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


# Fields written as one inline table (or an array of inline tables) on one line: they read as one unit.
_INLINE = {"base_bands", "child_addon", "extension"}
# Inside an inline table, fields left out when at their default (these are always written).
_INLINE_ALWAYS = {"PriceBand": {"price", "up_to_minutes"}, "ChildAddon": {"kind"},
                  "Extension": {"unit_minutes", "unit_price", "max_minutes", "partial_unit", "requires_agreement"}}


def _fields(w: _Writer, path: str, model: BaseModel, *, skip_defaults: bool = False, keep: tuple[str, ...] = (),
            comments: bool = True) -> None:
    """Write ``model``'s scalar fields, then its sub-tables, in the model's field order."""
    deferred: list[tuple[str, Any]] = []

    def _comment(key_path: str) -> str:
        # Each key is explained once, where it first appears: later schedules stay readable.
        if not comments or key_path in w.explained:
            return ""
        w.explained.add(key_path)
        return _sheet_comments().get(key_path, "")

    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key_path = f"{path}.{name}"
        if value is None:
            if info.default is not None:
                raise ValueError(f"{key_path} is None but its default is {info.default!r}")  # cannot round-trip
            continue
        if skip_defaults and name not in keep and value == info.default:
            continue
        if name in _INLINE:
            if isinstance(value, tuple):
                w.scalar(name, _Raw("[" + ", ".join(_inline(v) for v in value) + "]"), _comment(key_path))
            else:
                w.scalar(name, _Raw(_inline(value)), _comment(key_path))
        elif isinstance(value, BaseModel) or (isinstance(value, tuple) and value and isinstance(value[0], BaseModel)):
            deferred.append((name, value))
        elif isinstance(value, tuple):
            w.array(name, list(value), _comment(key_path))
        else:
            w.scalar(name, value, _comment(key_path))
    # Single sub-tables first, then arrays of tables (schedules: member … contract, then support types).
    deferred.sort(key=lambda item: isinstance(item[1], tuple))
    for name, value in deferred:
        sub = f"{path}.{name}"
        if isinstance(value, tuple):
            for item in value:
                w.header(f"[[{sub}]]")
                _fields(w, sub, item)
        else:
            w.header(f"[{sub}]")
            _fields(w, sub, value)


def _one_line(text: str) -> str:
    """Comment text: a name with a line break or a control character must not end the comment."""
    return "".join(" " if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in text)


class _Raw(str):
    """TOML text written as it is."""


def _inline(model: BaseModel) -> str:
    always = set(_INLINE_ALWAYS.get(type(model).__name__, set()))
    kind = getattr(model, "kind", None)
    if kind == "fraction_of_base":
        always |= {"numerator", "denominator"}
    elif kind == "fixed_per_child":
        always.add("amount")
    parts = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None or (name not in always and value == info.default):
            continue
        parts.append(f"{name} = {_value(value)}")
    return "{ " + ", ".join(parts) + " }"


def _value(value: Any) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        text = format(value, "f")
        # A float literal loads back as the same Decimal only when it survives float(); else quote it.
        return text if Decimal(repr(float(text))) == value else _string(text)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        raise TypeError("settings hold no date-times")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()  # 12:00:00: TOML 1.0 needs the seconds
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@lru_cache(maxsize=1)
def _sheet_comments() -> dict[str, str]:
    from .settings_sheet_rows import AREA_COLUMNS, FEE_COLUMNS, RULE_ROWS, SCHEDULE_COLUMNS

    out: dict[str, str] = {}
    for label, path, _codec, help_text in RULE_ROWS:
        out["organisation" if path == "organisation" else f"rules.{path}"] = f"{label}: {help_text}"
    for col in SCHEDULE_COLUMNS:
        out[f"schedules.{col.path}"] = f"{col.header}: {col.help}" if col.help else col.header
    for col in FEE_COLUMNS:
        if col.path == "schedule":
            continue
        text = f"{col.header}: {col.help}" if col.help else col.header
        out.setdefault(f"schedules.support_types.{col.path.split('.')[0]}", text)
    out["schedules.support_types.child_addon"] = "子ども加算（2人目以降）: kind none なし / fraction_of_base 基本料金の割合 / fixed_per_child 1人あたり定額"
    out["schedules.support_types.extension"] = "延長: 単位(分)・単価・上限(分)・単位未満・事前相談"
    out["schedules.cancellation.tiers"] = "キャンセル: 連絡の締切ごとの負担"
    out["schedules.cancellation.tiers.days_before"] = "締切: 面会日の何日前（1 = 前日）"
    out["schedules.cancellation.tiers.at"] = "締切の時刻（この時刻より前の連絡）"
    out["schedules.cancellation.tiers.charge_percent"] = "負担する割合(%)"
    out["schedules.cancellation.tiers.fixed_charge"] = "必ず負担する額(円)（WEK: 保険料相当 500円）"
    for col in AREA_COLUMNS:
        out[f"areas.{col.path}"] = col.header
    return out
