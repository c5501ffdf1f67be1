"""The catalogue of finding types, as data.

One entry per thing a check can find.  ``code`` is stable (scripts and the JSON output rely on it);
the templates may use ``{value}`` (the value seen) and the parameters the check passes.  The rules
page ``docs/rules.md`` is generated from this table.
"""

from __future__ import annotations

from .findings import ERROR, FindingType, register

register(
    FindingType(
        code="no-fee-schedule", severity=ERROR, source="Fees: schedules have an effective date",
        name_ja="料金表なし", name_en="No fee schedule",
        template_ja="{date} に適用される料金表がありません。設定シートの料金表の適用開始日を確認してください",
        template_en="no fee schedule is in force on {date}; check the effective dates on the settings sheet",
        description_ja="面会日に有効な料金表が設定にない。",
        description_en="No schedule in the settings covers the visit date.",
    ),
    FindingType(
        code="unknown-support-type", severity=ERROR, source="Support types",
        name_ja="支援類型が不明", name_en="Unknown support type",
        template_ja="支援類型「{value}」はありません。次のどれかにしてください: {known}",
        template_en="unknown support type '{value}'; use one of: {known}",
        description_ja="料金表にない支援類型。",
        description_en="The support type is not in the fee schedule.",
    ),
    FindingType(
        code="children-too-few", severity=ERROR, source="Fees",
        name_ja="子ども人数が不正", name_en="Too few children",
        template_ja="子ども人数は1人以上にしてください（入力: {value}）",
        template_en="the number of children must be at least 1 (got {value})",
        description_ja="面会する子どもの人数が0以下。",
        description_en="A visit needs at least one child.",
    ),
    FindingType(
        code="children-too-many", severity=ERROR, source="Fees",
        name_ja="子ども人数が上限超過", name_en="Too many children",
        template_ja="子ども人数 {value} 人は料金表の上限 {limit} 人を超えています",
        template_en="{value} children exceed the schedule's limit of {limit}",
        description_ja="料金表が定める1回の上限人数を超えている。",
        description_en="More children than the schedule allows.",
    ),
    FindingType(
        code="duration-invalid", severity=ERROR, source="Fees",
        name_ja="時間が不正", name_en="Invalid duration",
        template_ja="面会時間が0分以下です（{times_ja}、延長を除いて {value} 分）。開始・終了時刻を確認してください",
        template_en="the visit lasts {value} minutes ({times_en}, without the extension); check the start and end times",
        description_ja="終了時刻が開始時刻（と延長）の後ではない。",
        description_en="The end time is not after the start time (plus the extension).",
    ),
    FindingType(
        code="duration-over-bands", severity=ERROR, source="Fees",
        name_ja="料金帯を超える時間", name_en="Duration beyond price bands",
        template_ja="{type_ja}の面会時間 {value} 分は料金表の最長 {limit} 分を超えています",
        template_en="{value} minutes exceed the longest price band ({limit} min) for this type",
        description_ja="時間帯別料金の最長を超える面会。",
        description_en="The booked time is longer than any price band.",
    ),
    FindingType(
        code="duration-needed", severity=ERROR, source="Fees: time bands",
        name_ja="時間がない（時間帯別料金）", name_en="No time (priced by time bands)",
        template_ja="{type_ja}の料金は面会時間で決まります。開始・終了時刻を入力してください",
        template_en="this type is priced by the visit's length; enter the start and end times",
        description_ja="料金表が時間帯別の料金を定める類型では、時刻のない面会は計算できない。",
        description_en="Where a schedule prices a type by time bands, a visit without times cannot be priced.",
    ),
    FindingType(
        code="duration-over-included", severity=ERROR, source="Fees: accompanied time",
        name_ja="料金の時間を超える面会", name_en="Longer than the fee covers",
        template_ja="{type_ja}の料金は{limit}分までですが、面会（{times_ja}）は延長を除いて{value}分です。超えた時間は延長として延長(分)・延長事前相談に記録するか、時刻を直してください",
        template_en="the fee covers {limit} min but the visit ({times_en}) lasts {value} min beyond its extension; record the "
                    "extra time as an agreed extension or correct the times",
        description_ja="付き添い型の料金は2時間分。開始・終了時刻が2時間と記録された延長の合計を超える面会は誤りで、2時間の料金にはしない。",
        description_en="The accompanied fee buys 2 hours; a visit whose times exceed 2 hours plus its recorded extension "
                       "is an error, never priced as 2 hours.",
    ),
    FindingType(
        code="extension-negative", severity=ERROR, source="Fees",
        name_ja="延長がマイナス", name_en="Negative extension",
        template_ja="延長(分)がマイナスです（{value}）",
        template_en="the extension is negative ({value})",
        description_ja="延長時間が負の値。",
        description_en="Extension minutes below zero.",
    ),
    FindingType(
        code="extension-not-allowed", severity=ERROR, source="Fees: extension",
        name_ja="延長できない類型", name_en="Extension not allowed",
        template_ja="{type_ja}には延長がありません。延長(分)を空欄か0にしてください（入力: {value} 分）",
        template_en="this support type has no extension; leave the extension empty or 0 (got {value} min)",
        description_ja="延長は付き添い型のみ（WEK）。",
        description_en="Only types with an extension rule (WEK: accompanied) can be extended.",
    ),
    FindingType(
        code="extension-over-cap", severity=ERROR, source="Fees: extension",
        name_ja="延長の上限超過", name_en="Extension over the cap",
        template_ja="延長 {value} 分は上限 {limit} 分を超えています",
        template_en="an extension of {value} min exceeds the {limit}-min cap",
        description_ja="延長は最大2時間（WEK）。",
        description_en="Extensions are capped (WEK: 2 hours).",
    ),
    FindingType(
        code="extension-unit", severity=ERROR, source="Fees: extension",
        name_ja="延長の単位違い", name_en="Extension not in units",
        template_ja="延長 {value} 分は {unit} 分単位ではありません（例: {unit}、{unit}×2 分）",
        template_en="an extension of {value} min is not in {unit}-minute units",
        description_ja="延長は30分単位（WEK）。",
        description_en="Extensions are taken in whole units (WEK: 30 minutes).",
    ),
    FindingType(
        code="extension-not-agreed", severity=ERROR, source="Fees: extension",
        name_ja="延長の事前相談なし", name_en="Extension without prior agreement",
        template_ja="延長 {value} 分に事前相談の記録がありません。延長事前相談を「○」にするか延長を取り消してください",
        template_en="an extension of {value} min has no prior agreement recorded",
        description_ja="延長は事前に相談があった場合のみ。",
        description_en="Extensions need prior agreement.",
    ),
    FindingType(
        code="municipality-unknown", severity=ERROR, source="Fees: out-of-area transport",
        name_ja="区域表にない市町村", name_en="Municipality not in the area table",
        template_ja="市町村「{value}」が区域表にありません。区域シートに追加するか、表記を合わせてください",
        template_en="municipality '{value}' is not in the area table; add it to the area sheet or fix the spelling",
        description_ja="交通費を決める区域表に市町村がない。",
        description_en="The area table decides transport; the place must be in it.",
    ),
    FindingType(
        code="area-distance-missing", severity=ERROR, source="Fees: transport",
        name_ja="距離が未設定", name_en="Distance missing",
        template_ja="市町村「{value}」の距離(km)が区域表にありません（距離制の交通費に必要です）",
        template_en="the area table has no distance for '{value}' (needed for per-km transport)",
        description_ja="距離制の交通費に距離がない。",
        description_en="Per-km transport needs the distance.",
    ),
    FindingType(
        code="reduction-negative", severity=ERROR, source="Fees: hardship reduction",
        name_ja="減額がマイナス", name_en="Negative reduction",
        template_ja="減額(円)がマイナスです（{value}）",
        template_en="the reduction is negative ({value})",
        description_ja="減額は0円以上。",
        description_en="A reduction is a non-negative amount.",
    ),
    FindingType(
        code="reduction-over-fee", severity=ERROR, source="Fees: hardship reduction",
        name_ja="減額が料金を超える", name_en="Reduction larger than the fee",
        template_ja="減額 {value} 円が面会の料金 {fee} 円を超えています{visit_ja}。減額を料金以下にしてください",
        template_en="the reduction of {value} yen exceeds the visit's fee of {fee} yen{visit_en}; make it at most the fee",
        description_ja="減額は減らす料金を超えない。超える減額は入力の誤りで、黙って料金に切り詰めない。",
        description_en="A reduction never exceeds the fee it reduces; a larger one is an input error, not a silent cap.",
    ),
    FindingType(
        code="cancel-by-missing", severity=ERROR, source="Payment and cancellation",
        name_ja="中止者なし", name_en="Who cancelled is missing",
        template_ja="中止の面会に中止者（父/母/団体）がありません",
        template_en="a cancelled visit needs who cancelled it (father/mother/organisation)",
        description_ja="返金額は中止者で変わる。",
        description_en="The refund depends on who cancelled.",
    ),
    FindingType(
        code="cancel-time-missing", severity=ERROR, source="Payment and cancellation",
        name_ja="中止連絡日時なし", name_en="Cancellation time missing",
        template_ja="中止の面会に中止連絡日時がありません（返金は前日正午の前か後かで決まります）",
        template_en="a cancelled visit needs the time the cancellation was notified (the refund depends on the noon cut-off)",
        description_ja="前日正午の締切の判定に必要。",
        description_en="Needed to apply the noon cut-off.",
    ),
)
