"""`xlsbridge quote` end to end, in a real subprocess where the exit code and stderr matter."""

from __future__ import annotations

import json
import itertools
import subprocess
import sys

import pytest
from click.testing import CliRunner

from xlsbridge.cli.main import cli


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xlsbridge.cli.main", *args], capture_output=True, text=True, encoding="utf-8"
    )


ISSUE_EXAMPLE = ["quote", "--type", "accompanied", "--date", "2025-06-14", "--children", "2", "--extension", "60",
                 "--member", "father", "--json"]


def test_issue_example_json():
    # base 8,500 + child 4,250 + extension 2 × 1,000 = 14,750; 7,375 each; father member −500 → 6,875
    p = run(*ISSUE_EXAMPLE)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert {k: out[k] for k in ("base", "child_addon", "extension", "transport", "gross", "member_discount",
                                "reduction", "father_share", "mother_share", "total", "due_date")} == {
        "base": 8500, "child_addon": 4250, "extension": 2000, "transport": 0, "gross": 14750,
        "member_discount": 500, "reduction": 0, "father_share": 6875, "mother_share": 7375, "total": 14250,
        "due_date": "2025-06-09"}
    assert "refund" not in out
    assert all(isinstance(out[k], int) for k in ("base", "total", "father_share"))


def test_issue_example_cancelled_before_and_after_cutoff():
    before = json.loads(run(*ISSUE_EXAMPLE, "--cancelled-at", "2025-06-13 11:59").stdout)
    after = json.loads(run(*ISSUE_EXAMPLE, "--cancelled-at", "2025-06-13 12:00").stdout)
    # before noon of the day before: 14,250 − 500 insurance = 13,750 (6,875−250, 7,375−250)
    assert (before["refund"], before["father_refund"], before["mother_refund"]) == (13750, 6625, 7125)
    assert (after["refund"], after["father_refund"], after["mother_refund"]) == (0, 0, 0)


def test_text_output_is_japanese_and_itemised():
    p = run("quote", "--type", "handover", "--date", "2025-06-14", "--municipality", "七尾市", "--ratio", "60:40")
    assert p.returncode == 0
    for text in ("基本料金", "4,500円", "交通費", "1,690円", "七尾市（区域外）", "見本", "父負担", "支払期限", "令和7年6月9日"):
        assert text in p.stdout
    # 4,500 + 1,690 = 6,190; 60 % = 3,714; 40 % = 2,476
    assert "3,714円" in p.stdout and "2,476円" in p.stdout


def test_english_output():
    p = run("--lang", "en", "quote", "--type", "handover", "--date", "2025-06-14")
    assert "Base fee" in p.stdout and "¥4,500" in p.stdout


def test_era_date_accepted():
    a = json.loads(run("quote", "--type", "handover", "--date", "R7.6.14", "--json").stdout)
    assert a["due_date"] == "2025-06-09"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--type", "online", "--date", "2025-06-14"], "支援類型「online」"),
        (["--type", "handover", "--date", "2025-06-14", "--extension", "30"], "延長がありません"),
        (["--type", "accompanied", "--date", "2025-06-14", "--extension", "45"], "30 分単位"),
        (["--type", "accompanied", "--date", "2025-06-14", "--extension", "180"], "上限 120 分"),
        (["--type", "handover", "--date", "2025-06-14", "--children", "0"], "1人以上"),
        (["--type", "handover", "--date", "2025-06-14", "--municipality", "富山市"], "区域表にありません"),
        (["--type", "handover", "--date", "2025-06-14", "--ratio", "half"], "父:母"),
        (["--type", "handover", "--date", "2025-06-14", "--ratio", "0:0"], "父:母"),
        (["--type", "handover", "--date", "2025-13-01"], "という日はありません"),
        (["--type", "handover", "--date", "2025-02-30"], "2025-02-30 という日はありません"),
        (["--type", "handover", "--date", "来週"], "日付として読めません"),
        (["--type", "handover", "--date", "2017-01-01"], "料金表がありません"),
        (["--type", "handover", "--date", "2025-06-14", "--settings", "missing.toml"], "設定ファイルがありません"),
    ],
)
def test_invalid_input_exits_2_with_one_line(args, fragment):
    p = run("quote", *args)
    assert p.returncode == 2, p.stdout
    assert fragment in p.stderr
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_option_order_does_not_change_the_price():
    opts = [["--type", "accompanied"], ["--date", "2025-06-14"], ["--children", "3"], ["--extension", "90"],
            ["--member", "both"], ["--ratio", "2:1"], ["--municipality", "小松市"]]
    runner = CliRunner()
    outputs = set()
    for perm in itertools.islice(itertools.permutations(opts), 0, 5040, 997):
        args = ["quote", "--json"] + [x for pair in perm for x in pair]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        outputs.add(result.output)
    assert len(outputs) == 1


def test_help_ends_with_an_example():
    p = run("quote", "--help")
    assert p.returncode == 0
    assert p.stdout.rstrip().splitlines()[-1].strip().startswith("xlsbridge quote")
    assert "例:" in p.stdout
    p = run("quote", "--help", "--lang", "en")
    assert p.stdout.rstrip().splitlines()[-1].strip().startswith("xlsbridge quote")
    assert "Example:" in p.stdout


def test_quote_with_another_organisations_ledger(tmp_path):
    """`--settings LEDGER.xlsx` prices under that ledger's 設定/区域 sheets (here the fictional Tokyo
    profile): accompanied 180 min → band ≤ 240 min: 22,000; 2 children → +2,000 (fixed per sibling);
    61 min extension in started 60-min units → 2 × 5,500 = 11,000; ひかり市 12.5 km × 2 (round trip)
    × 30 yen × 1 staff = 750; both members (no 150 % surcharge): 35,750 → 17,875 each."""
    from xlsbridge.io.settings_toml import default_settings
    from xlsbridge.io.template import build_template, save_workbook_deterministic

    ledger = tmp_path / "tokyo.xlsx"
    save_workbook_deterministic(build_template(default_settings("example-tokyo")), ledger)
    p = run("quote", "--settings", str(ledger), "--type", "accompanied", "--date", "2025-06-14", "--duration", "180",
            "--children", "2", "--extension", "61", "--municipality", "ひかり市", "--member", "both", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["base"], out["child_addon"], out["extension"], out["transport"]) == (22000, 2000, 11000, 750)
    assert (out["total"], out["father_share"], out["mother_share"]) == (35750, 17875, 17875)
    assert out["due_date"] == "2025-06-07"  # 7 days before in this profile


def test_a_long_accompanied_visit_is_priced_with_its_extension_and_says_so():
    # 180 minutes: the fee buys 120, the other 60 are an extension of 2 × 30 min × 1,000 = 2,000:
    # 8,500 + 2,000 = 10,500, 5,250 each.  Before: 8,500, as if it lasted 2 hours.
    p = run("quote", "--type", "accompanied", "--date", "2025-06-14", "--duration", "180", "--json")
    out = json.loads(p.stdout)
    assert (out["base"], out["extension"], out["total"], out["father_share"]) == (8500, 2000, 10500, 5250)
    text = run("quote", "--type", "accompanied", "--date", "2025-06-14", "--duration", "180").stdout
    assert "延長（60分）" in text and "10,500円" in text
    assert "面会 180分は料金の120分を60分超えるため、その分を延長として計算しました" in text
    # 150 booked + 30 agreed: 30 + 30 = 60 of extension, 10,500 again.
    p = run("quote", "--type", "accompanied", "--date", "2025-06-14", "--duration", "150", "--extension", "30", "--json")
    assert json.loads(p.stdout)["total"] == 10500


@pytest.mark.parametrize("args, fragment", [
    (["--duration", "200"], "延長 80 分は 30 分単位ではありません"),   # 80 is not whole 30-min units
    (["--duration", "180", "--extension", "90"], "上限 120 分"),     # 60 + 90 = 150 > 120
    (["--duration", "0"], "1分以上"),
])
def test_a_long_visit_that_is_not_a_valid_extension_is_refused(args, fragment):
    p = run("quote", "--type", "accompanied", "--date", "2025-06-14", *args)
    assert p.returncode == 2 and fragment in p.stderr and len(p.stderr.strip().splitlines()) == 1
    if args[1] != "0":
        assert "--duration" in p.stderr


def test_a_time_banded_schedule_needs_duration(tmp_path):
    from xlsbridge.io.settings_toml import default_settings
    from xlsbridge.io.template import build_template, save_workbook_deterministic

    ledger = tmp_path / "tokyo.xlsx"  # accompanied steps at 120 / 240 minutes in this profile
    save_workbook_deterministic(build_template(default_settings("example-tokyo")), ledger)
    p = run("quote", "--settings", str(ledger), "--type", "accompanied", "--date", "2025-06-14",
            "--municipality", "ひかり市")
    # Before: the cheapest band, silently.
    assert p.returncode == 2 and "--duration" in p.stderr and "Traceback" not in p.stderr


def test_a_reduction_larger_than_the_fee_is_refused():
    # accompanied 8,500; a reduction of 9,000 exceeds it (before: cut to 8,500, total 0).
    p = run("quote", "--type", "accompanied", "--date", "2025-06-14", "--reduction", "9000")
    assert p.returncode == 2 and "減額 9000 円が面会の料金 8500 円を超えています" in p.stderr
    assert run("quote", "--type", "accompanied", "--date", "2025-06-14", "--reduction", "8500").returncode == 0


def test_capped_amounts_and_an_implausible_notice_are_explained():
    # coordination 2,000 at 9:1: father 1,800, mother 200; the mother's ¥500 member discount is held to
    # 200.  Cancelled 2025-03-01, 105 days ahead: the refund rule still applies (1,800 − 500 = 1,300 to the
    # father: the mother paid 0, so her 50 of the ¥500 comes off his refund), and the date is questioned.
    p = run("quote", "--type", "coordination", "--date", "2025-06-14", "--member", "mother", "--ratio", "9:1",
            "--cancelled-at", "2025-03-01 10:00", "--cancelled-by", "mother")
    assert p.returncode == 0, p.stderr
    assert "返金 1,300円（差引 500円）" in p.stdout
    assert "※ 母の会員割引 500円は母の負担額 200円まで" in p.stdout
    assert "残り 50円は父の返金から差し引き" in p.stdout
    assert "※ 中止連絡日時が面会日の60日以上前です" in p.stdout


def test_quote_shows_the_issue17_rules_and_the_charges_outside_the_visit_fee(tmp_path):
    # The fictional profile of tests/domain/test_pricing_rules17.py.  付き添い型 10,000 + 1 extra adult 1,500
    # = 11,500 → 5,750 each; かわせみ市 20 km × 2 × 30 × 2 staff = 2,400, paid by the visiting mother;
    # insurance 200 → 100 each; costs 1,000 half each → 500 each.
    # father 5,750 + 100 + 500 = 6,350; mother 5,750 + 2,400 + 100 + 500 = 8,750; total 15,100
    from tests.domain.test_pricing_rules17 import PROFILE

    profile = tmp_path / "rules17.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    args = ["quote", "--settings", str(profile), "--type", "accompanied", "--date", "2025-06-14",
            "--municipality", "かわせみ市", "--member", "both", "--adults", "1", "--costs", "1000",
            "--visiting-parent", "mother"]
    p = run(*args, "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["extra_adults"], out["transport"], out["insurance"], out["costs"]) == (1500, 2400, 200, 1000)
    assert (out["father_share"], out["mother_share"], out["total"]) == (6350, 8750, 15100)
    # the case deposit 50,000 is paid 25,000 / 25,000 at 1:1; pre-consultation 5,000 per parent
    assert out["contract_charges"] == {"pre_consultation_fee": 5000, "case_deposit": 50000,
                                       "father_case_deposit": 25000, "mother_case_deposit": 25000,
                                       "deposit_warn_below": 10000, "insurance_per_visit": 200}
    text = run(*args).stdout
    assert "大人追加（1人）" in text and "母が負担" in text and "実費" in text
    assert "事前面談料（親1人・1回）" in text and "50,000円" in text
    # without the visiting parent the transport has no payer: one line, exit 2
    p = run(*args[:-2])
    assert p.returncode == 2 and "--visiting-parent" in p.stderr and "Traceback" not in p.stderr


def test_wek_quote_shows_no_other_charges():
    # WEK has no contract fee, renewal fee or deposit (申込金はありません): the block is left out
    p = run("quote", "--type", "handover", "--date", "2025-06-14")
    assert p.returncode == 0 and "面会料金のほかの費用" not in p.stdout
