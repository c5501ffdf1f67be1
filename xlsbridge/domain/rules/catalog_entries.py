"""Finding types of the ledger reader and the validation rules, registered in the catalogue.

Same shape as ``domain/catalog.py`` (the fee engine's codes, which the visit rules reuse).  Codes are
stable: scripts and the JSON output (docs/validate-json.md) rely on them.  Templates say what to fix.
Parameters that read differently per language come in pairs (``{parent_ja}`` / ``{parent_en}``);
``{header}`` is the column header as it appears in the workbook, which is Japanese in both languages.
Templates never take a parent's or a child's name: findings may end up in a scheduled job's log.
"""

from __future__ import annotations

from ..findings import register_rows

E, W = "error", "warning"
WORKBOOK = "workbook"  # a problem with how a cell is typed, not a rule of domain.md

# (code, severity, name ja, name en, template ja, template en, description ja, description en, source)
READER = [
    ("cell-unreadable-date", E, "日付を読めない", "Unreadable date",
     "「{value}」を日付として読めません。2025/6/14、R7.6.14、令和7年6月14日 のように入力してください",
     "cannot read '{value}' as a date; enter it like 2025/6/14, R7.6.14 or 令和7年6月14日",
     "日付の列に日付として読めない値がある。Excelの日付、2025/6/14、R6.4.1、令和6年4月1日、全角数字を読める。",
     "A date column holds something that is not a date. Excel dates, 2025/6/14, R6.4.1, 令和6年4月1日 and "
     "full-width digits are read.",
     WORKBOOK),
    ("cell-unreadable-time", E, "時刻を読めない", "Unreadable time",
     "「{value}」を時刻として読めません。14:00、14時30分 のように入力してください",
     "cannot read '{value}' as a time of day; enter it like 14:00 or 14時30分",
     "時刻の列に時刻として読めない値がある。", "A time column holds something that is not a time of day.",
     WORKBOOK),
    ("cell-unreadable-datetime", E, "日時を読めない", "Unreadable date and time",
     "「{value}」を日時として読めません。2025/6/13 11:30 のように日付と時刻の両方を入力してください",
     "cannot read '{value}' as a date and time; enter both, like 2025/6/13 11:30",
     "日時の列（中止連絡日時など）に日付と時刻として読めない値がある。時刻のない日付も不可（前日正午の判定に時刻が要る）。",
     "A date-and-time column (such as the cancellation notice) holds something else; a date without a time "
     "is refused because the noon cut-off needs the time.",
     WORKBOOK),
    ("cell-not-a-number", E, "数ではない", "Not a number",
     "「{value}」を{header}の数として読めません。整数（例 {example}）を入力してください",
     "cannot read '{value}' as a whole number for {header}; enter a whole number (e.g. {example})",
     "数の列（人数、分、円、回数）に整数として読めない値がある。全角数字、桁区切り、「30分」「2人」「1,000円」は読める。",
     "A number column (children, minutes, yen, renewals) holds something that is not a whole number. "
     "Full-width digits, thousands separators and units such as 30分, 2人, 1,000円 are read.",
     WORKBOOK),
    ("cell-unknown-choice", E, "選択肢にない値", "Value not in the list",
     "「{value}」は{header}の選択肢にありません。次のどれかにしてください: {known}",
     "'{value}' is not one of the choices for {header}; use one of: {known}",
     "選択肢の列（状態、申請者、場所区分、○/× など）に一覧にない値がある。",
     "A choice column (status, applicant, place kind, ○/× …) holds a value that is not in its list.",
     WORKBOOK),
    ("ratio-invalid", E, "負担割合を読めない", "Unreadable ratio",
     "負担割合「{value}」を読めません。「父:母」の0以上の2つの数（例 1:1、60:40、1:0）か父の割合「50%」で入力してください（0:0 は不可）",
     "cannot read the ratio '{value}'; write two numbers ≥ 0 as father:mother (e.g. 1:1, 60:40, 1:0) or the "
     "father's share as 50% (0:0 is not allowed)",
     "負担割合は0以上の2つの数で、両方0ではいけない。空欄は1:1（折半）。",
     "The parents' ratio is two numbers ≥ 0, not both zero; empty means 1:1.",
     "Payment and cancellation"),
    ("cell-formula", W, "数式が入っている", "Formula instead of a value",
     "記録の欄に数式 {value} が入っています。数式ではなく値を入力してください（表示されている結果を読みました）",
     "this record cell holds the formula {value}; type the value instead (the displayed result was read)",
     "入力列のセルに数式がある。記録は値で残す（数式の結果は後で変わりうる）。Excelが保存した結果の値を読み、"
     "結果が保存されていなければ空として扱う。計算列（料金）は対象外。",
     "An input cell holds a formula. Records are kept as values (a formula's result may change later). The "
     "result Excel saved is read; without a saved result the cell counts as empty. Computed (fee) columns "
     "are not checked.",
     WORKBOOK),
    ("cell-error-value", E, "エラー値", "Error value",
     "エラー値 {value} が入っています。正しい値を入力してください（数式なら参照先を確認してください）",
     "the cell holds the error value {value}; enter the right value (for a formula, check what it refers to)",
     "セルが #N/A、#VALUE! などのエラー値。空として扱う。", "The cell holds an error value such as #N/A; it counts "
     "as empty.", WORKBOOK),
    ("merged-cell", E, "結合セル", "Merged cells",
     "セルが結合されています（{value}）。結合を解除し、行ごとに値を入力してください",
     "the cells {value} are merged; unmerge them and enter the value on each row",
     "記録の表で結合されたセルは左上以外が空になり、行ごとの記録が読めない。",
     "In a merged range only the top-left cell holds the value, so the other rows lose it.",
     WORKBOOK),
    ("column-missing", W, "列がない", "Column missing",
     "列「{header}」が見つかりません。1行目に「{header}」の列を追加してください（この列の値は空として扱いました）",
     "column '{header}' was not found; add a column headed '{header}' in row 1 (its values were taken as empty)",
     "任意の入力列が見出し行にない。必須の列がない台帳は読めない（終了コード2）。",
     "An optional input column is missing from the header row; a workbook without a required column is "
     "refused (exit 2).",
     WORKBOOK),
    ("header-duplicate", W, "見出しの重複", "Duplicate header",
     "見出し「{header}」が{first}列と{value}列にあります。{first}列を読みました。どちらかの見出しを変えてください",
     "the header '{header}' appears in columns {first} and {value}; column {first} was read; rename one of them",
     "同じ見出しの列が2つある。左の列を読む。", "Two columns have the same header; the left one is read.",
     WORKBOOK),
]

RULES = [
    ("required-missing", E, "必須項目が空", "Required field empty",
     "{header}が空です。入力してください", "{header} is empty; fill it in",
     "台帳の必須列（ケースID、実施日、状態など）が空。", "A required column (case ID, visit date, status …) is empty.",
     "Contracts and eligibility"),
    ("unknown-case-id", E, "未登録のケースID", "Unknown case ID",
     "ケースID「{value}」がケースシートにありません。ケースシートに登録するか、IDを直してください",
     "case ID '{value}' is not on the case sheet; add the case or correct the ID",
     "子ども・面会記録のケースIDがケースシートにない。", "A child or visit names a case that is not on the case sheet.",
     "Contracts and eligibility"),
    ("duplicate-case-id", E, "ケースIDの重複", "Duplicate case ID",
     "ケースID「{value}」が{first_row}行目にもあります。別のIDを付けてください",
     "case ID '{value}' is also used on row {first_row}; give this case its own ID",
     "同じケースIDが2行ある。子ども・面会がどちらのケースか分からなくなる。",
     "Two cases share an ID, so children and visits cannot be told apart.", "Contracts and eligibility"),
    ("duplicate-visit-id", E, "記録IDの重複", "Duplicate visit ID",
     "記録ID「{value}」が{first_row}行目にもあります。別のIDを付けてください",
     "visit ID '{value}' is also used on row {first_row}; give this visit its own ID",
     "同じ記録IDが2行ある。", "Two visits share an ID.", "Contracts and eligibility"),
    ("contract-missing", E, "契約日がない", "Contract date missing",
     "{parent_ja}の契約日がありませんが、面会 {visit_id}（{date}）があります。契約日を入力するか、面会を見直してください",
     "the {parent_en}'s contract date is empty but visit {visit_id} ({date}) exists; enter the contract date or "
     "review the visit",
     "面会は父母の両方と契約した後に限る。面会（中止を除く）があるのに契約日がない。",
     "Visits start only after both parents signed; a case has a visit (not cancelled) but a parent's contract "
     "date is empty.",
     "Contracts and eligibility"),
    ("visit-before-contract", E, "契約前の面会", "Visit before the contract",
     "実施日 {value} は父母の契約がそろった日 {signed} より前です。契約後の日付にするか、契約日を確認してください",
     "the visit date {value} is before both parents had signed ({signed}); move the visit or check the "
     "contract dates",
     "面会（中止を除く）が、父母の遅い方の契約日より前。", "A visit (not cancelled) is dated before the later of "
     "the two contract dates.", "Contracts and eligibility"),
    ("visit-after-contract-end", E, "契約期間後の面会", "Visit after the contract ends",
     "実施日 {value} は契約期間（{end} まで、更新{renewals}回）の後です。更新したなら更新回数を直し、そうでなければ日付を確認してください",
     "the visit date {value} is after the contract term ({end}, {renewals} renewal(s)); if the contract was "
     "renewed, update the renewal count, otherwise check the date",
     "契約期間は遅い方の契約日から契約月数（WEKは12か月）×（更新回数+1）、その前日まで。",
     "The term runs from the later contract date for contract months (WEK: 12) × (renewals + 1), to the day "
     "before.",
     "Contracts and eligibility"),
    ("pre-consultation-missing", E, "事前面談日がない", "Pre-consultation missing",
     "{parent_ja}の事前面談日がありません。事前面談（初回面会の{days}日以上前）をした日を入力してください",
     "the {parent_en}'s pre-consultation date is empty; enter the day of the pre-consultation (at least "
     "{days} days before the first visit)",
     "面会（中止を除く）があるケース、および契約した国の事業のケースは、父母それぞれの事前面談日が必要。",
     "A case with a visit (not cancelled), and a national-programme case with a contract, needs each parent's "
     "pre-consultation date.",
     "Contracts and eligibility; National program cases"),
    ("pre-consultation-late", E, "事前面談が遅い", "Pre-consultation too late",
     "{parent_ja}の事前面談日 {value} は初回面会 {first}（{visit_id}）の{days}日前より後です。事前面談は初回面会の{days}日以上前に行ってください（日付の誤りなら直してください）",
     "the {parent_en}'s pre-consultation on {value} is less than {days} days before the first visit {first} "
     "({visit_id}); hold it at least {days} days before, or correct the date",
     "事前面談は初回面会（中止を除く最初の面会）の1週間以上前（設定 pre_consultation_days）。",
     "Each pre-consultation is at least a week (setting pre_consultation_days) before the first visit that "
     "was not cancelled.",
     "Contracts and eligibility"),
    ("renewal-junior-high", E, "更新時に対象外の子ども", "Child not covered after renewal",
     "この子は更新日 {renewal} に{reason_ja}で、更新後の契約の対象外です。更新回数か、この子を対象に含めているかを見直してください",
     "on the renewal date {renewal} this child is {reason_en}, so not covered after the renewal; review the "
     "renewal count or whether the child is still included",
     "契約更新時に中学生になっている子ども（設定 renewal_exclusion が age なら exit_age 歳以上）は対象外。",
     "At renewal a child who has become a junior-high student (or, with renewal_exclusion = age, is exit_age "
     "or older) is no longer covered.",
     "Contracts and eligibility"),
    ("reduction-reason-missing", W, "減額理由がない", "Reduction without a reason",
     "減額 {value} 円に減額理由がありません。減額理由を入力してください",
     "a reduction of {value} yen has no reason; enter the reason",
     "減額はケースごとに理由とともに記録する。", "A hardship reduction is recorded per case with a reason.",
     "Fees: hardship reduction"),
    ("place-parent-home", E, "親の自宅での面会", "Visit at a parent's home",
     "面会場所が親の自宅になっています。受け渡し・面会は団体が指定する場所（児童館など）に変更してください",
     "the place is a parent's home; hand over and meet only at a place the organisation names (a children's "
     "centre …)",
     "受け渡し・面会の場所は団体が指定する場所で、どちらの親の自宅でもない（場所区分「親の自宅」、または場所に「自宅」）。",
     "Handover and visit places are places the organisation names, never either parent's home (place kind "
     "親の自宅, or 自宅 in the place).",
     "Contracts and eligibility"),
    ("children-more-than-case", E, "子ども人数がケースより多い", "More children than the case has",
     "子ども人数 {value} 人がケース {case} の子どもシートの登録 {count} 人より多くなっています。人数を直すか、子どもシートに登録してください",
     "{value} children at the visit but case {case} has {count} on the children sheet; correct the number or "
     "add the child",
     "面会の子ども人数が、そのケースの子どもシートの人数を超える。", "A visit has more children than its case "
     "lists on the children sheet.", "Fees"),
    ("held-visit-incomplete", E, "実施記録の不足", "Held visit incomplete",
     "実施済みの面会に{header}がありません。入力してください",
     "the held visit has no {header}; fill it in",
     "状態「実施」の面会には開始・終了時刻、担当支援員、内容（何があったか）の記録が要る。",
     "A held visit needs its start and end time, staff and a record of what happened.",
     "Support plans and review"),
    ("visit-type-differs", W, "援助内容と違う支援類型", "Support type differs from the case",
     "支援類型「{value}」がケースの援助内容「{case_type}」と違います。どちらかを直してください（援助内容を変えたなら計画書も見直してください）",
     "the support type '{value}' differs from the case's '{case_type}'; correct one of them (and the plan if "
     "the support changed)",
     "面会の支援類型がケースの援助内容（計画書の援助内容）と違う。", "A visit's support type differs from the "
     "case's support type (as in the plan).", "Support types"),
    ("staff-unknown", W, "支援員シートにない担当者", "Staff member not on the staff sheet",
     "担当支援員「{value}」が支援員シートにありません。支援員シートに追加するか、表記を合わせてください",
     "staff member '{value}' is not on the staff sheet; add them or match the spelling",
     "担当支援員が支援員シートにない（表記ゆれ、退職者の誤入力）。複数名は「、」「・」で区切る。",
     "The staff name is not on the staff sheet (a spelling variant or a mistake); separate several names "
     "with 、 or ・.",
     "The plan sheet"),
    ("child-under-min-age", W, "対象年齢未満の子ども", "Child below the minimum age",
     "面会 {visit_id}（{date}）の時点で{age}歳です（対象は概ね{min_age}歳から）。対象としてよいか確認してください",
     "the child is {age} at visit {visit_id} ({date}); children are covered from about {min_age}; confirm",
     "対象は概ね3歳から（設定 min_child_age）。", "Children are covered from about age 3 (setting min_child_age).",
     "Contracts and eligibility"),
    ("child-junior-high", W, "中学生の子ども", "Child in junior high",
     "面会 {visit_id}（{date}）の時点で{grade_ja}（{age}歳）です（対象は概ね小学6年生まで）。対象としてよいか確認してください",
     "the child is in {grade_en} (age {age}) at visit {visit_id} ({date}); children are covered up to about "
     "6th grade; confirm",
     "対象は概ね小学6年生まで。学年は4月始まりの学年度で計算。", "Children are covered up to about 6th grade, "
     "by the April school year.", "Contracts and eligibility"),
    ("child-outside-prefecture", W, "県外の子ども", "Child outside the prefecture",
     "居住都道府県が{prefecture}ではありません（対象は{prefecture}在住の子ども）。確認してください",
     "the child does not live in {prefecture} (children living in {prefecture} are covered); confirm",
     "対象は団体の都道府県（設定 prefecture）に住む子ども。", "Children living in the organisation's prefecture "
     "(setting prefecture) are covered.", "Contracts and eligibility"),
    ("birth-date-future", E, "未来の生年月日", "Birth date in the future",
     "生年月日 {value} が基準日 {as_of} より後です。生年月日を確認してください",
     "the birth date {value} is after {as_of}; check it",
     "生年月日が基準日より後。", "The birth date is after the as-of date.", "Japanese calendar rules"),
    ("national-child-age", E, "国の事業: 対象年齢超過", "National programme: child too old",
     "国の事業: 面会 {visit_id}（{date}）の時点で{age}歳です（対象は{limit_ja}）。国の事業の対象か確認してください",
     "national programme: the child is {age} at visit {visit_id} ({date}); the programme covers {limit_en}",
     "国の事業の対象は15歳未満（設定 national_max_age、national_age_rule が end_of_school_year なら15歳に達した年度末まで）。",
     "The national programme covers children under 15 (setting national_max_age; with national_age_rule = "
     "end_of_school_year, until the March 31 after turning 15).",
     "National program cases"),
    ("national-monthly-limit", E, "国の事業: 月1回超過", "National programme: more than one visit a month",
     "国の事業: {month_ja}の面会（予定・実施）がこれで{count}回目です（月1回まで）。別の月にするか、国の事業外の扱いを検討してください",
     "national programme: this is visit {count} in {month_en} (planned or held); at most one a month — move "
     "it to another month",
     "国の事業の面会は月1回まで（予定と実施を数え、中止は数えない）。", "At most one supported visit a calendar "
     "month (planned and held count, cancelled do not).", "National program cases"),
    ("national-over-one-year", E, "国の事業: 1年超過", "National programme: over one year",
     "国の事業: 実施日 {value} は支援開始 {start} から1年（{end} まで）を過ぎています。国の事業の支援は1年までです",
     "national programme: the visit date {value} is more than a year after support began ({start}; the year "
     "ends {end}); the programme supports for one year at most",
     "国の事業の支援期間は1年まで（父母の契約がそろった日から）。", "National-programme support lasts at most one "
     "year from the day both parents had signed.", "National program cases"),
    ("national-allowance-missing", W, "国の事業: 児童扶養手当の確認なし", "National programme: allowance not recorded",
     "国の事業のケースに児童扶養手当の受給確認が記録されていません。要件を確認し「○」を入力してください",
     "national programme case without the child-rearing allowance (児童扶養手当) check; confirm eligibility "
     "and enter ○",
     "国の事業の要件: 同居親が児童扶養手当を受給（または同程度の所得）。", "Eligibility: the custodial parent "
     "receives 児童扶養手当 (or has a similar income).", "National program cases"),
    ("visit-after-termination", E, "援助中止後の面会", "Visit after termination",
     "実施日 {value} はこのケースの援助中止日 {terminated} より後です。中止したケースの面会は行えません。状態を「中止」にするか日付を確認してください",
     "the visit date {value} is after the case was terminated ({terminated}); no visits after termination — "
     "cancel it or check the date",
     "援助を中止したケースでは、中止日より後に面会（予定・実施）はない。", "A terminated case has no planned or held "
     "visit after its termination date.", "Contracts and eligibility"),
    ("termination-date-missing", E, "中止日がない", "Termination date missing",
     "状態が「中止」ですが中止日がありません。援助を中止した日を入力してください",
     "the case is terminated (中止) but has no termination date; enter the day support stopped",
     "援助中止したケースは中止日が必要（再申込の確認に使う）。", "A terminated case needs its termination date "
     "(used to catch a new application).", "Contracts and eligibility"),
    ("terminated-person-new-case", E, "援助中止した人の再申込", "New case of a terminated person",
     "ケース {value} は援助を中止したケース {terminated_case}（{terminated} 中止）と同じ親・子どもの申込みです。中止した人には援助を再開できません。受付を確認してください",
     "case {value} has the same parent and child as case {terminated_case}, terminated on {terminated}; "
     "support is never given again to that person — review the intake",
     "中止後に申し込まれたケースで、親の氏名が同じで、氏名・生年月日が同じ子どもがいる。氏名は表示しない。",
     "A case applied for after a termination has the same parent name and a child with the same name and "
     "birth date. Names are never printed.",
     "Contracts and eligibility"),
]


register_rows(READER)
register_rows(RULES)
