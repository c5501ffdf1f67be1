"""The catalogue of finding types, as data.

One entry per thing a check can find.  ``code`` is stable (scripts and the JSON output rely on it);
the templates may use ``{value}`` (the value seen) and the parameters the check passes.  The rules
page ``docs/rules.md`` is generated from this table.
"""

from __future__ import annotations

from .findings import register_rows

E, W = "error", "warning"

# (code, severity, name ja, name en, template ja, template en, description ja, description en, source)
_PRICING = [
    ("no-fee-schedule", E, "料金表なし", "No fee schedule",
     "{date} に適用される料金表がありません。設定シートの料金表の適用開始日を確認してください",
     "no fee schedule is in force on {date}; check the effective dates on the settings sheet",
     "面会日に有効な料金表が設定にない。", "No schedule in the settings covers the visit date.",
     "Fees: schedules have an effective date"),
    ("unknown-support-type", E, "支援類型が不明", "Unknown support type",
     "支援類型「{value}」はありません。次のどれかにしてください: {known}",
     "unknown support type '{value}'; use one of: {known}",
     "料金表にない支援類型。", "The support type is not in the fee schedule.", "Support types"),
    ("children-too-few", E, "子ども人数が不正", "Too few children",
     "子ども人数は1人以上にしてください（入力: {value}）",
     "the number of children must be at least 1 (got {value})",
     "面会する子どもの人数が0以下。", "A visit needs at least one child.", "Fees"),
    ("children-too-many", E, "子ども人数が上限超過", "Too many children",
     "子ども人数 {value} 人は料金表の上限 {limit} 人を超えています",
     "{value} children exceed the schedule's limit of {limit}",
     "料金表が定める1回の上限人数を超えている。", "More children than the schedule allows.", "Fees"),
    ("duration-invalid", E, "時間が不正", "Invalid duration",
     "面会時間が0分以下です（{value} 分）。開始・終了時刻を確認してください",
     "the visit lasts {value} minutes; check the start and end times",
     "終了時刻が開始時刻以前。", "The end time is not after the start time.", "Fees"),
    ("duration-over-bands", E, "料金帯を超える時間", "Duration beyond price bands",
     "{type_ja} の面会時間 {value} 分は料金表の最長 {limit} 分を超えています",
     "{value} minutes exceed the longest price band ({limit} min) for this type",
     "時間帯別料金の最長を超える面会。", "The booked time is longer than any price band.", "Fees"),
    ("extension-negative", E, "延長がマイナス", "Negative extension",
     "延長(分)がマイナスです（{value}）", "the extension is negative ({value})",
     "延長時間が負の値。", "Extension minutes below zero.", "Fees"),
    ("extension-not-allowed", E, "延長できない類型", "Extension not allowed",
     "{type_ja} には延長がありません。延長(分)を空欄か0にしてください（入力: {value} 分）",
     "this support type has no extension; leave the extension empty or 0 (got {value} min)",
     "延長は付き添い型のみ（WEK）。", "Only types with an extension rule (WEK: accompanied) can be extended.",
     "Fees: extension"),
    ("extension-over-cap", E, "延長の上限超過", "Extension over the cap",
     "延長 {value} 分は上限 {limit} 分を超えています", "an extension of {value} min exceeds the {limit}-min cap",
     "延長は最大2時間（WEK）。", "Extensions are capped (WEK: 2 hours).", "Fees: extension"),
    ("extension-unit", E, "延長の単位違い", "Extension not in units",
     "延長 {value} 分は {unit} 分単位ではありません（例: {unit}、{unit}×2 分）",
     "an extension of {value} min is not in {unit}-minute units",
     "延長は30分単位（WEK）。", "Extensions are taken in whole units (WEK: 30 minutes).", "Fees: extension"),
    ("extension-not-agreed", E, "延長の事前相談なし", "Extension without prior agreement",
     "延長 {value} 分に事前相談の記録がありません。延長事前相談を「はい」にするか延長を取り消してください",
     "an extension of {value} min has no prior agreement recorded",
     "延長は事前に相談があった場合のみ。", "Extensions need prior agreement.", "Fees: extension"),
    ("municipality-unknown", E, "区域表にない市町村", "Municipality not in the area table",
     "市町村「{value}」が区域表にありません。区域シートに追加するか、表記を合わせてください",
     "municipality '{value}' is not in the area table; add it to the area sheet or fix the spelling",
     "交通費を決める区域表に市町村がない。", "The area table decides transport; the place must be in it.",
     "Fees: out-of-area transport"),
    ("area-distance-missing", E, "距離が未設定", "Distance missing",
     "市町村「{value}」の距離(km)が区域表にありません（距離制の交通費に必要です）",
     "the area table has no distance for '{value}' (needed for per-km transport)",
     "距離制の交通費に距離がない。", "Per-km transport needs the distance.", "Fees: transport"),
    ("reduction-negative", E, "減額がマイナス", "Negative reduction",
     "減額(円)がマイナスです（{value}）", "the reduction is negative ({value})",
     "減額は0円以上。", "A reduction is a non-negative amount.", "Fees: hardship reduction"),
    ("cancel-by-missing", E, "中止者なし", "Who cancelled is missing",
     "中止の面会に中止者（父/母/団体）がありません", "a cancelled visit needs who cancelled it (father/mother/organisation)",
     "返金額は中止者で変わる。", "The refund depends on who cancelled.", "Payment and cancellation"),
    ("cancel-time-missing", E, "中止連絡日時なし", "Cancellation time missing",
     "中止の面会に中止連絡日時がありません（返金は前日正午の前か後かで決まります）",
     "a cancelled visit needs the time the cancellation was notified (the refund depends on the noon cut-off)",
     "前日正午の締切の判定に必要。", "Needed to apply the noon cut-off.", "Payment and cancellation"),
]


register_rows(_PRICING)
