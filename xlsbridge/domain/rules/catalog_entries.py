"""Finding types of the ledger reader (how a cell is typed), registered in the catalogue.

Each rule module of this package declares its own finding types beside the rule; the fee engine's are
in ``domain/catalog.py``.  Codes are stable: scripts and the JSON output (docs/validate-json.md) rely
on them.  Templates say what to fix.
Parameters that read differently per language come in pairs (``{parent_ja}`` / ``{parent_en}``);
``{header}`` is the column header as it appears in the workbook, which is Japanese in both languages.
Templates never take a parent's or a child's name: findings may end up in a scheduled job's log.
"""

from __future__ import annotations

from ..findings import ERROR, WARNING, FindingType, register

WORKBOOK = "workbook"  # a problem with how a cell is typed, not a rule of domain.md

register(
    FindingType(
        code="cell-unreadable-date", severity=ERROR, source=WORKBOOK,
        name_ja="日付を読めない", name_en="Unreadable date",
        template_ja="「{value}」を日付として読めません。2025/6/14、R7.6.14、令和7年6月14日 のように入力してください",
        template_en="cannot read '{value}' as a date; enter it like 2025/6/14, R7.6.14 or 令和7年6月14日",
        description_ja="日付の列に日付として読めない値がある。Excelの日付、2025/6/14、R6.4.1、令和6年4月1日、全角数字を読める。",
        description_en="A date column holds something that is not a date. Excel dates, 2025/6/14, R6.4.1, 令和6年4月1日 and full-width digits are read.",
    ),
    FindingType(
        code="cell-impossible-date", severity=ERROR, source=WORKBOOK,
        name_ja="存在しない日付", name_en="Day that does not exist",
        template_ja="「{value}」という日はありません（暦にない月日です）。正しい日付を入力してください",
        template_en="'{value}' is a day that does not exist (no such month or day); enter the right date",
        description_ja="日付の列に、2025-02-30 のように暦にない日がある。",
        description_en="A date column holds a day that is not in the calendar, such as 2025-02-30.",
    ),
    FindingType(
        code="cell-unreadable-time", severity=ERROR, source=WORKBOOK,
        name_ja="時刻を読めない", name_en="Unreadable time",
        template_ja="「{value}」を時刻として読めません。14:00、14時30分 のように入力してください",
        template_en="cannot read '{value}' as a time of day; enter it like 14:00 or 14時30分",
        description_ja="時刻の列に時刻として読めない値がある。",
        description_en="A time column holds something that is not a time of day.",
    ),
    FindingType(
        code="cell-unreadable-datetime", severity=ERROR, source=WORKBOOK,
        name_ja="日時を読めない", name_en="Unreadable date and time",
        template_ja="「{value}」を日時として読めません。2025/6/13 11:30 のように日付と時刻の両方を入力してください",
        template_en="cannot read '{value}' as a date and time; enter both, like 2025/6/13 11:30",
        description_ja="日時の列（中止連絡日時など）に日付と時刻として読めない値がある。時刻のない日付も不可（前日正午の判定に時刻が要る）。",
        description_en="A date-and-time column (such as the cancellation notice) holds something else; a date without a time is refused because the noon cut-off needs the time.",
    ),
    FindingType(
        code="cell-not-a-number", severity=ERROR, source=WORKBOOK,
        name_ja="数ではない", name_en="Not a number",
        template_ja="「{value}」を{header}の数として読めません。整数（例 {example}）を入力してください",
        template_en="cannot read '{value}' as a whole number for {header}; enter a whole number (e.g. {example})",
        description_ja="数の列（人数、分、円、回数）に整数として読めない値がある。全角数字、桁区切り、「30分」「2人」「1,000円」は読める。",
        description_en="A number column (children, minutes, yen, renewals) holds something that is not a whole number. Full-width digits, thousands separators and units such as 30分, 2人, 1,000円 are read.",
    ),
    FindingType(
        code="cell-unknown-choice", severity=ERROR, source=WORKBOOK,
        name_ja="選択肢にない値", name_en="Value not in the list",
        template_ja="「{value}」は{header}の選択肢にありません。次のどれかにしてください: {known}",
        template_en="'{value}' is not one of the choices for {header}; use one of: {known}",
        description_ja="選択肢の列（状態、申請者、場所区分、○/× など）に一覧にない値がある。",
        description_en="A choice column (status, applicant, place kind, ○/× …) holds a value that is not in its list.",
    ),
    FindingType(
        code="ratio-invalid", severity=ERROR, source="Payment and cancellation",
        name_ja="負担割合を読めない", name_en="Unreadable ratio",
        template_ja="負担割合「{value}」を読めません。「父:母」の0以上の2つの数（例 1:1、60:40、1:0）か父の割合「50%」で入力してください（0:0 は不可）",
        template_en="cannot read the ratio '{value}'; write two numbers ≥ 0 as father:mother (e.g. 1:1, 60:40, 1:0) or the father's share as 50% (0:0 is not allowed)",
        description_ja="負担割合は0以上の2つの数で、両方0ではいけない。空欄は1:1（折半）。",
        description_en="The parents' ratio is two numbers ≥ 0, not both zero; empty means 1:1.",
    ),
    FindingType(
        code="cell-formula", severity=WARNING, source=WORKBOOK,
        name_ja="数式が入っている", name_en="Formula instead of a value",
        template_ja="記録の欄に数式 {value} が入っています。数式ではなく値を入力してください（{result_ja}）",
        template_en="this record cell holds the formula {value}; type the value instead ({result_en})",
        description_ja="入力列のセルに数式がある。記録は値で残す（数式の結果は後で変わりうる）。Excelが保存した結果の値を読み、結果が保存されていなければ空として扱う。計算列（料金）は対象外。",
        description_en="An input cell holds a formula. Records are kept as values (a formula's result may change later). The result Excel saved is read; without a saved result the cell counts as empty. Computed (fee) columns are not checked.",
    ),
    FindingType(
        code="cell-error-value", severity=ERROR, source=WORKBOOK,
        name_ja="エラー値", name_en="Error value",
        template_ja="エラー値 {value} が入っています。正しい値を入力してください（数式なら参照先を確認してください）",
        template_en="the cell holds the error value {value}; enter the right value (for a formula, check what it refers to)",
        description_ja="セルが #N/A、#VALUE! などのエラー値。空として扱う。",
        description_en="The cell holds an error value such as #N/A; it counts as empty.",
    ),
    FindingType(
        code="merged-cell", severity=ERROR, source=WORKBOOK,
        name_ja="結合セル", name_en="Merged cells",
        template_ja="セルが結合されています（{value}）。結合を解除し、行ごとに値を入力してください",
        template_en="the cells {value} are merged; unmerge them and enter the value on each row",
        description_ja="記録の表で結合されたセルは左上以外が空になり、行ごとの記録が読めない。",
        description_en="In a merged range only the top-left cell holds the value, so the other rows lose it.",
    ),
    FindingType(
        code="column-missing", severity=WARNING, source=WORKBOOK,
        name_ja="列がない", name_en="Column missing",
        template_ja="列「{header}」が見つかりません。1行目に「{header}」の列を追加してください（この列の値は空として扱いました）",
        template_en="column '{header}' was not found; add a column headed '{header}' in row 1 (its values were taken as empty)",
        description_ja="任意の入力列が見出し行にない。必須の列がない台帳は読めない（終了コード2）。",
        description_en="An optional input column is missing from the header row; a workbook without a required column is refused (exit 2).",
    ),
    FindingType(
        code="header-duplicate", severity=WARNING, source=WORKBOOK,
        name_ja="見出しの重複", name_en="Duplicate header",
        template_ja="見出し「{header}」が{first}列と{value}列にあります。{first}列を読みました。どちらかの見出しを変えてください",
        template_en="the header '{header}' appears in columns {first} and {value}; column {first} was read; rename one of them",
        description_ja="同じ見出しの列が2つある。左の列を読む。",
        description_en="Two columns have the same header; the left one is read.",
    ),
)
