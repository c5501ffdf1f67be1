"""Generate docs/ledger-layout.md from domain/layout.py: ``python -m xlsbridge.domain.layout_doc > docs/ledger-layout.md``.

The layout table is the single source; tests/domain/test_docs.py fails when the committed page differs.
"""

from __future__ import annotations

import sys

from .layout import RECORD_SHEETS, TEMPLATE_VERSION

KINDS = {
    "text": "text", "date": "date (Excel date, 2024/4/1, R6.4.1, 令和6年4月1日, full-width digits)",
    "time": "time (13:30, 13時30分)", "datetime": "date and time (2024/4/1 11:30)", "int": "whole number",
    "yen": "yen (whole number)", "bool": "yes/no (○ × はい いいえ TRUE FALSE 1 0)",
    "ratio": "ratio father:mother (1:1, 60:40, 50%)", "choice": "one of the listed values",
}


def render() -> str:
    out = [
        "# Ledger layout (案件台帳)",
        "",
        f"Generated from `xlsbridge/domain/layout.py` (template version {TEMPLATE_VERSION}); do not edit by hand.",
        "",
        "The reader matches columns by their header in row 1 (full-width/half-width and spaces folded, older",
        "spellings accepted), so staff may reorder columns and add their own. Required columns must exist;",
        "required cells must be filled. Computed columns are filled by `xlsbridge fees`: do not type there.",
        "",
    ]
    for sheet in RECORD_SHEETS:
        out += [f"## {sheet.name} (table {sheet.table})", ""]
        if sheet.aliases:
            out += [f"Older name of the sheet, also accepted: {', '.join(sheet.aliases)}.", ""]
        out += ["| header | holds | required | values | also accepted |", "|---|---|---|---|---|"]
        for c in sheet.columns:
            values = " / ".join(c.choices) if c.choices else ""
            holds = "computed: " + KINDS[c.kind] if c.computed else KINDS[c.kind]
            out.append(f"| {c.header} | {holds} | {'yes' if c.required else ''} | {values} | {', '.join(c.aliases)} |")
        out.append("")
    out += [
        "## Other sheets",
        "",
        "- 設定, 区域: fee schedules, rules and the area table — see docs/settings-sheet.md.",
        "- チェック結果, 料金集計, 期限・年齢, 計画書_<ケースID>: made by xlsbridge and redrawn on every run.",
        "- 連絡先 holds addresses, phones and e-mails: xlsbridge never reads it, so nothing it produces can",
        "  carry them (domain.md, Privacy).",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(render())
