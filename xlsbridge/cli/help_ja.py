"""Japanese help of every command, what each command writes, and click's own words in Japanese.

Data only: :mod:`.localize` applies it.  The English texts stay in the command modules (docstrings
and ``help=``); an entry here replaces them when the language is Japanese (the default).  Worked
examples are kept: the command lines are the same in both languages, only the comments differ.
"""

from __future__ import annotations

# What each command writes (ja, en): the line 「書き込み: …」 / "Writes: …" of its help.
WRITES: dict[str, tuple[str, str]] = {
    "xlsbridge": ("コマンドごとに --help の「書き込み」の行を見てください（validate・flags・quote・rules・doctor は何も書き込みません）",
                  "see the Writes line of each command's --help (validate, flags, quote, rules and doctor write nothing)"),
    "xlsbridge demo": ("--out のフォルダーにサンプル台帳のコピーと結果のファイル（台帳そのものはありません）",
                       "the sample ledger's copy and the results, into the --out folder"),
    "xlsbridge quote": ("なし（画面に出すだけ）", "nothing (prints only)"),
    "xlsbridge validate": ("なし（台帳は読むだけ）。--annotate のときだけ、指定した新しいファイルに印を付けたコピー",
                           "nothing (the ledger is only read); with --annotate, a marked-up copy to that new file"),
    "xlsbridge fees": ("台帳そのもの（自動計算の列と 料金集計、バックアップを作ってから）。--out なら新しいファイル、--dry-run なら何も書かない",
                       "the ledger in place (computed columns and 料金集計, after a backup); with --out a new file; with --dry-run nothing"),
    "xlsbridge flags": ("なし（一覧を出すだけ）。--write のときだけ台帳の 期限・年齢 シート（バックアップを作ってから）、--out なら新しいファイル",
                        "nothing (lists only); with --write the ledger's 期限・年齢 sheet (after a backup); with --out a new file"),
    "xlsbridge plan": ("台帳そのもの（計画書_<ケースID> シート、バックアップを作ってから）。--out なら新しいファイル、--pdf なら PDF も",
                       "the ledger in place (sheets 計画書_<case ID>, after a backup); with --out a new file; with --pdf a PDF too"),
    "xlsbridge template": ("new は新しい台帳、upgrade は --out の新しい台帳（元の台帳は変えない）",
                           "new: a new ledger; upgrade: a new ledger at --out (the old one is unchanged)"),
    "xlsbridge template new": ("PATH の新しい台帳（あるファイルは --force のときだけ上書き）",
                               "a new ledger at PATH (an existing file only with --force)"),
    "xlsbridge template upgrade": ("--out の新しい台帳だけ（元の台帳は変えない）",
                                   "only the new ledger at --out (the old ledger is unchanged)"),
    "xlsbridge sample": ("--out の新しい台帳（あるファイルは --force のときだけ上書き）",
                         "a new ledger at --out (an existing file only with --force)"),
    "xlsbridge settings": ("export は --out のファイル（なければ画面）、check は何も書き込まない",
                           "export: the --out file (or the screen); check: nothing"),
    "xlsbridge settings export": ("--out のファイル（なければ画面に出すだけ）", "the --out file (else prints only)"),
    "xlsbridge settings check": ("なし（読むだけ）", "nothing (reads only)"),
    "xlsbridge rules": ("なし（画面に出すだけ）", "nothing (prints only)"),
    "xlsbridge report": ("なし（集計を出すだけ）。--sheet なら台帳の 実績報告 シート（バックアップを作ってから）、--out なら新しいファイル",
                         "nothing (prints the figures); with --sheet the ledger's 実績報告 sheet (after a backup); with --out a new file"),
    "xlsbridge doctor": ("なし（調べるだけ）", "nothing (checks only)"),
    "xlsbridge bundle": ("--out の配布フォルダー（中身のあるフォルダーは --force のときだけ置き換え）",
                         "the folder at --out (a folder with files in it only with --force)"),
    "xlsbridge addin": ("build は --out のフォルダーにアドイン、install は Excel の起動フォルダーと xlsbridge.conf、lite は --out のフォルダー",
                        "build: the add-in into --out; install: Excel's startup folder and xlsbridge.conf; lite: files into --out"),
    "xlsbridge addin build": ("--out のフォルダーに xlsbridge.xlam", "xlsbridge.xlam into the --out folder"),
    "xlsbridge addin install": ("Excel の起動フォルダーにアドイン、%USERPROFILE%\\.xlsbridge\\xlsbridge.conf（--dry-run なら何も書かない）",
                                "the add-in into Excel's startup folder and xlsbridge.conf (with --dry-run nothing)"),
    "xlsbridge addin lite": ("--out のフォルダーに requirements.txt と main.py（--wheel なら wheel も）",
                             "requirements.txt and main.py (and with --wheel the wheel) into the --out folder"),
    "xlsbridge backups": ("なし（一覧を出すだけ）。--restore のときだけ台帳を戻す（今の台帳のバックアップを作ってから）",
                          "nothing (lists only); with --restore the ledger is put back (after a backup of the current one)"),
}

# Options several commands share, by parameter name.
COMMON_OPTIONS: dict[str, str] = {
    "as_of": "この日を今日として扱う（既定: 今日）。台帳と同じ書き方: 2026-03-01、R8.3.1 …",
    "password_env": ("パスワードで暗号化された台帳（Excel: ファイル → 情報 → ブックの保護 → パスワードを使用して暗号化）の"
                     "パスワードを入れた環境変数の名前。既定: XLSBRIDGE_PASSWORD。どちらもなく台帳が暗号化されているときは、"
                     "端末で一度だけ尋ねる（入力は表示されない）。"),
    "force": "--out のファイルがあれば上書きする（付けないと、あるファイルには書かない）。",
    "version": "バージョンを表示して終了する。",
    "lang": "メッセージとヘルプの言語（既定 ja、または XLSBRIDGE_LANG）。行のどこに書いてもよい。",
}

# The password help of the commands that write the ledger back (the others write nothing).
PASSWORD_WRITES = COMMON_OPTIONS["password_env"] + "書き込む台帳は同じパスワードで暗号化し直す。"

HELP: dict[str, dict] = {
    "xlsbridge": {
        "help": """xlsbridge — 面会交流支援団体の案件台帳のための自動化ツール

職員は案件台帳を、これまでどおり Excel で付けます。xlsbridge は入力をチェックし、面会ごとの料金を計算し、
対応が必要な契約や子どもを一覧にし、親子交流支援計画書を作ります。このコマンドからでも、Excel のリボン
からでも使えます（xlsbridge addin --help を参照）。
""",
        "epilog": """\b
例:
  xlsbridge demo                          # サンプル台帳のコピーで全部を試す
  xlsbridge validate 案件台帳.xlsx          # 入力をチェックする
  xlsbridge validate ledger.xlsx --lang en  # 英語で
""",
    },
    "xlsbridge demo": {
        "help": """サンプル台帳の新しいコピーで validate・fees・flags・plan を実行して見せる。

サンプルには架空のケースが約 40 件、2 年分あります（すべての支援類型、賛助会員、取り決めた負担割合、
区域外の面会、正午の締め切りの前後の中止、国の事業のケース、終了したケース）。入力チェックが見つける
わざとの誤りも 8 件入っています。「今日」は 2026-03-01 に固定なので、何度実行しても同じ結果です。
""",
        "epilog": """\b
例:
  xlsbridge demo                       # ./xlsbridge-demo に書き出す
  xlsbridge demo --out /tmp/試し
  xlsbridge demo --lang en
""",
        "options": {"folder": "デモのファイルを書き出すフォルダー（なければ作る。前回のサンプルのファイルは置き換える）。"},
    },
    "xlsbridge quote": {
        "help": """面会 1 回の料金を、その日に有効な料金表で内訳付きで計算する。

基本料金、子どもの追加、延長、区域外の交通費、賛助会員の割引、減額、取り決めた割合による父母それぞれの
負担、支払期日を表示します。中止した面会なら、父母それぞれへの返金も表示します。
""",
        "epilog": """\b
例:
  xlsbridge quote --type 付き添い型 --date 2025-06-14 --children 2 --extension 60 --member father
  xlsbridge quote --type 受け渡し型 --date R7.6.14 --municipality 小松市 --ratio 60:40 --json
  xlsbridge quote --type accompanied --date 2025-06-14 --cancelled-at "2025-06-13 11:30" --cancelled-by mother
  xlsbridge quote --settings 案件台帳.xlsx --type handover --date 2025-06-14   # その台帳の料金表で
""",
        "options": {
            "support_type": ("支援類型: 連絡調整型 (coordination)、受け渡し型 (handover)、付き添い型 (accompanied)、"
                             "または設定で定めた類型。日本語の名前とふだんの書き方（付添い、受渡し …）でもよい。"),
            "visit_date": "面会日: 2025-06-14、2025/6/14、R7.6.14 …",
            "children": "面会する子どもの人数。",
            "extension": "前もって取り決めた延長（分）。付き添い型は 30 分単位、最大 120 分。",
            "duration": ("予約した時間（分、--extension を除く）。料金に含まれる時間（付き添い型は 120 分）を超えた分は"
                         "延長として計算する。時間で基本料金が変わる料金表では必須。"),
            "municipality": "受け渡し・面会を行う市町村（既定: 区域表で最初の区域内の市町村。WEK では 金沢市）。",
            "member": "賛助会員に登録している親: none（なし）、father（父）、mother（母）、both（両方）。",
            "ratio": "父母が取り決めた負担割合 父:母（1:1、60:40、1:0、または父の割合 50%）。",
            "reduction": "この面会の減額（円）。",
            "cancelled_at": "中止の連絡を受けた日時。返金を表示する。",
            "cancelled_by": "中止した人: father（父）、mother（母）、organisation（団体。全額返金）。--cancelled-at だけなら親。",
            "settings_path": "料金表と区域表をこの台帳（.xlsx）か団体設定ファイル（.toml）から読む（既定: WEK の料金表）。",
            "as_json": "整数の円の項目を持つ JSON を 1 つ出す。",
            "extra_adults": "料金に含まれる 1 人を超えて付き添う大人の人数（大人追加）。",
            "costs": "面会の実費（入場料、ガソリン代、部屋代）（円）。料金表の決まりで父母に分ける。",
            "visiting_parent": "子どもと同居していない親: father（父）か mother（母）。料金表がそう定めるとき、交通費（と実費）をひとりで払う。",
        },
    },
    "xlsbridge validate": {
        "help": """案件台帳の入力をチェックし、直すところをセルごとに一覧にする。

台帳は読むだけで、変更もロックもしません。ルールブックのすべての規則（xlsbridge rules を参照）で
チェックし、指摘ごとにセル（面会記録!F12）、重さ、どうするかを表示します。エラーは直す必要があり、
警告は職員が確かめるものです。
""",
        "epilog": """\b
終了コード: 0 エラーなし（警告はあってもよい）、1 エラーあり、2 ファイルを使えない。

\b
例:
  xlsbridge validate 案件台帳.xlsx
  xlsbridge validate 案件台帳.xlsx --as-of 2025-06-30 --format json > check.json
  xlsbridge validate 案件台帳.xlsx --format csv > check.csv          # Excel で開ける
  xlsbridge validate 案件台帳.xlsx --annotate 案件台帳_チェック.xlsx   # 印を付けたコピー
  LEDGER_PW=secret xlsbridge validate protected.xlsx --password-env LEDGER_PW
  xlsbridge validate ledger.xlsx --lang en
""",
        "options": {
            "fmt": "text: シートごとにまとめて人が読む形、json: スクリプト用（docs/validate-json.md）、csv: BOM 付き UTF-8 で Excel 用。",
            "annotate_out": ("指摘のあるセルに色とコメントを付け、チェック結果 シートから各セルへリンクしたコピーも書く。"
                             "コピーには 連絡先 シートを入れない。台帳そのものは変えない。"),
            "force": "--annotate のファイルがあれば上書きする（付けないと、あるファイルには書かない）。",
        },
    },
    "xlsbridge fees": {
        "help": """台帳の面会すべての料金を、設定シートの料金表で計算する。

面会記録 の自動計算の列（基本料金 … 返金額、内訳）を埋め、料金集計 シート（ケースごと・月ごとの面会数、
父母それぞれへの請求額と返金）を作り直します。職員が入力したセルは決して変えません。入力にエラーがある
面会は計算せず、その 内訳 のセルに直すべき指摘を書きます。

--out がなければ台帳をその場で安全に更新します: 横の xlsbridge_backup フォルダーに日時付きのコピーを残し、
一時ファイルに書いてから置き換えます。Excel で開いている台帳には書きません（閉じるか --out を使う）。
""",
        "epilog": """\b
例:
  xlsbridge fees 案件台帳.xlsx                    # その場で更新（バックアップを残す）
  xlsbridge fees 案件台帳.xlsx --dry-run          # 変わるところを表示するだけ
  xlsbridge fees 案件台帳.xlsx --out 料金計算済み.xlsx
""",
        "options": {
            "out": "台帳を更新する代わりに、結果をこの新しいファイルに書く。",
            "dry_run": "変わるところを表示し、何も書き込まない。",
            "password_env": PASSWORD_WRITES,
        },
    },
    "xlsbridge flags": {
        "help": """台帳のうち、近いうちに対応が必要なものを一覧にする。

\b
- 期間が終わる契約（続けるには父母とも更新が必要）
- 次の更新の時点で中学生になり、そこで対象外になる子ども（その日の学年と年齢）
- 1 年になる国の事業のケースと、月 1 回を使った月
- 支払期日を過ぎた未入金（父入金日・母入金日を付けているとき）
- 支援計画の見直し（見直し予定日、または契約から 3 か月ごと）

項目ごとに種類、ケース、期日、残り日数、することを表示します。一覧にはケースIDだけを出し、人の名前や
連絡先は出しません。台帳には何も書き込みません（--write のときだけ 期限・年齢 シートに書きます）。
""",
        "epilog": """\b
例:
  xlsbridge flags 案件台帳.xlsx                       # 60 日先まで。台帳は変えない
  xlsbridge flags 案件台帳.xlsx --as-of 2026-03-01 --within 30
  xlsbridge flags 案件台帳.xlsx --format json > 期限.json   # 夜間の定期実行: 何も書き込まない
  xlsbridge flags 案件台帳.xlsx --write                # 期限・年齢 シートにも書く（バックアップ付き）
""",
        "options": {
            "within": "何日先まで見るか。",
            "fmt": "出力の形式（json には schema_version がある。csv は Excel で開ける）。",
            "write": "一覧を台帳の 期限・年齢 シートにも書く（安全に、バックアップを作ってから）。付けなければ（--out もなければ）何も書かない。",
            "out": "台帳を更新する代わりに、期限・年齢 シートを入れた台帳をこの新しいファイルに書く。",
            "password_env": PASSWORD_WRITES,
        },
    },
    "xlsbridge plan": {
        "help": """台帳のケースの親子交流支援計画書（国の事業の様式）を作る。

項目は様式の順です: 申込日、事前相談日、申請者と相手方（父・母、同居・別居）、親子交流を行う未成年者
（和暦の生年月日と年齢）、援助内容と援助条件（様式の言葉でチェック）、支援員、次の見直し予定日、
実施した面会の支援経過（次のページに続く）。A4 縦、横 1 ページ。父母どちらも見る様式なので、住所・
電話番号・メールアドレスは決して出しません。

--out がなければ、シート（計画書_<ケースID>）を台帳に安全に、バックアップを作ってから書きます。
""",
        "epilog": """\b
例:
  xlsbridge plan 案件台帳.xlsx --case K-0001                     # 台帳に 計画書_K-0001 シート
  xlsbridge plan 案件台帳.xlsx --case K-0001 --out 計画書_K-0001.xlsx --pdf
  xlsbridge plan 案件台帳.xlsx --all --out 計画書_全ケース.xlsx
""",
        "options": {
            "case_id": "計画書を作るケース（ケースID）。",
            "all_active": "契約中のケースすべての計画書を作る（状態 契約中）。",
            "out": "台帳に書く代わりに、計画書のシートだけの新しいファイルに書く。",
            "pdf": "LibreOffice で PDF も作る（LibreOffice が必要）。",
            "password_env": PASSWORD_WRITES,
        },
    },
    "xlsbridge template": {
        "help": """台帳テンプレート（案件台帳）: シート、表、ドロップダウン、設定シート。

new は空の台帳を書きます。upgrade は今ある台帳を、データをすべて持ったまま、この版のテンプレートに
移します。
""",
        "epilog": """\b
例:
  xlsbridge template new 案件台帳.xlsx                          # WEK の料金表で
  xlsbridge template new 案件台帳.xlsx --settings 団体設定.toml   # 自分の団体の規則で
  xlsbridge template new 案件台帳.xlsx --force                  # あるファイルを置き換える
  xlsbridge template upgrade 古い台帳.xlsx --out 新しい台帳.xlsx   # この版に移す
""",
    },
    "xlsbridge template new": {
        "help": """空の台帳を PATH に書く。

シートは 使い方、ケース、連絡先、子ども、面会記録、支援員、設定、区域。記録のシートはそれぞれ Excel の
テーブルで、ドロップダウン（設定の支援類型、支援員 の名前、○/×）、日付と円の書式、灰色の自動計算の料金
の列があります。設定 と 区域 には管理者が直す料金表と区域表があります。台帳には xlwings Lite の
requirements.txt（xlsbridge を指定）と main.py も入っているので、無料の xlwings Lite アドインがあれば
Python を入れずにボタンを使えます。一時ファイルに書いてから置き換えます。
""",
        "epilog": """\b
例:
  xlsbridge template new 案件台帳.xlsx
  xlsbridge template new 案件台帳.xlsx --settings xlsbridge/data/settings/example-tokyo.toml
  xlsbridge template new 案件台帳.xlsx --settings 団体設定.toml --force
  xlsbridge template new 案件台帳.xlsx --lite-package https://example.org/xlsbridge-0.1.0-py3-none-any.whl
""",
        "options": {
            "settings_path": "設定 と 区域 シートに書く団体設定ファイル（.toml、xlsbridge/data/settings/ を参照。既定: WEK の料金表）。",
            "force": "PATH にファイルがあれば上書きする。",
            "lite_package": ("台帳の xlwings Lite の requirements.txt が xlsbridge として入れるもの: 要件（既定: "
                             "xlsbridge==この版、PyPI から）か、管理者が公開した wheel の https の URL（docs/excel-lite.md を参照）。"),
        },
    },
    "xlsbridge template upgrade": {
        "help": """台帳を、データをすべて持ったまま、今のテンプレートの版に移す。

台帳の版はブック（設定 シート、名前の定義）から読み、版を記録していない古い台帳はシートと見出しから
見分けます。行はすべて今の見出しの下に写します（名前の変わった見出しは古い名前で対応させる）。新しい
列は空のまま、新しいドロップダウン・書式・強調はテンプレートから付けます。職員が足した列とシートは書式
ごと残します。料金集計、料金の列、チェック結果 は計算し直し、計画書_* と 期限・年齢 は残します。

書き込む前に、古い台帳で職員が入力した空でないセルを新しい台帳で一つずつ探し、同じ値であることを
確かめます。変わったこと（名前が変わった列・足した列、残したシート・作り直したシート、写した行）を
表示します。暗号化された台帳は同じパスワードで暗号化したままにします。
""",
        "epilog": """\b
終了コード: 0 移した、2 何も書いていない（理由を表示する）。

\b
例:
  xlsbridge template upgrade 案件台帳.xlsx --out 案件台帳_新.xlsx
  xlsbridge template upgrade 案件台帳.xlsx --out 案件台帳_新.xlsx --settings 団体設定.toml
  LEDGER_PW=secret xlsbridge template upgrade 台帳.xlsx --out 台帳_新.xlsx --password-env LEDGER_PW
""",
        "options": {
            "out": "新しい台帳（.xlsx）。古い台帳は変えないので、職員が新しい台帳を確かめるまで取っておく。",
            "settings_path": "設定 と 区域 シートに、台帳のものの代わりにこの団体設定ファイル（.toml）を使う（設定 シートのないとても古い台帳に必要）。",
            "force": "OUT にファイルがあれば上書きする。",
            "password_env": PASSWORD_WRITES,
        },
    },
    "xlsbridge sample": {
        "help": """架空だが現実的な記録の入った台帳を書く（WEK の料金表）。

2 年分のケースで、すべての支援類型、賛助会員とそうでない親、取り決めた割合、区域外の面会、正午の締め切り
の前後と団体による中止、国の事業のケース、終了したケース、更新前に中学生になる子どもが入っています。
名前、住所（見本町）、電話番号（0X0-0000-xxxx）、メールアドレス（example.jp）はすべて架空です。
xlsbridge validate が見つけるわざとの誤りもいくつか入っています（workbooks/README.md を参照）。
同じオプションなら同じバイト列を書きます。進み具合は標準エラーに出します。
""",
        "epilog": """\b
例:
  xlsbridge sample --cases 40 --seed 1 --out 練習用台帳.xlsx                # 添付のサンプルと同じ
  xlsbridge sample --cases 4800 --seed 7 --out bench.xlsx --force          # 約 50,000 回の面会
  xlsbridge sample --cases 100 --seed 2 --start 2025-04-01 --out 2025.xlsx
""",
        "options": {
            "cases": "ケースの数。1 件あたり面会は約 10 回（4,800 件 ≈ 50,000 回）。",
            "seed": "乱数の種。同じ種なら同じファイル。",
            "out": "書き出す台帳（.xlsx）。",
            "start": "最初の申込みのころ。記録は 23 か月後の時点で書く。",
            "no_mistakes": "わざとの誤りを入れない（チェックでエラーの出ない台帳）。",
            "force": "--out のファイルがあれば上書きする。",
        },
    },
    "xlsbridge settings": {
        "help": """団体の設定を TOML ファイルで: 料金表、区域、規則、休業日、計画書の様式。

同じ設定は台帳の 設定 と 区域 シートにもあります。export はそれをコメント付きのファイルに書き出し
（版管理に置く）、check はファイルか台帳のシートのどこがおかしいかを表示します。
""",
        "epilog": """\b
例:
  xlsbridge settings export 案件台帳.xlsx > 団体設定.toml     # 台帳の 設定 / 区域 シートをファイルに
  xlsbridge settings check 団体設定.toml                      # おかしいところを行とキーで
  xlsbridge template new 案件台帳.xlsx --settings 団体設定.toml
""",
    },
    "xlsbridge settings export": {
        "help": """SOURCE（台帳 .xlsx、または整える .toml）の設定を、コメント付きの TOML ファイルに書く。

すべてのキーを決まった順で、設定 シートの見出しを添えて書くので、同じ設定なら書き出しも同じになり、
変更は小さな差分になります。読み戻すとまったく同じ設定になります。UTF-8。
""",
        "epilog": """\b
例:
  xlsbridge settings export 案件台帳.xlsx > 団体設定.toml
  xlsbridge settings export 案件台帳.xlsx --out 団体設定.toml --force
  xlsbridge settings export --shipped example-tokyo --out 見本設定.toml   # 出発点に
""",
        "options": {
            "out": "画面の代わりにこのファイルに書く。",
            "force": "OUT にファイルがあれば上書きする。",
            "shipped": "xlsbridge に付いているプロファイルを書き出す（wek、example-tokyo、example-flat、example-city）。",
        },
    },
    "xlsbridge settings check": {
        "help": """団体設定ファイル（.toml）か台帳の 設定 / 区域 シートを確かめ、おかしいところを表示する。

.toml は全体を確かめ、問題ごとに行とキーを示します（例「45行目 schedules[2].support_types[3].extension.max_minutes」）。
台帳のシートは最初の問題で止まり、そのセル（設定!E14）を示します。正しい設定は要約し、まだ驚きそうな
ことに注意を添えます: 見本の運賃、何も足さない区域外の場所、ない距離、どの料金表にも入らない日。
""",
        "epilog": """\b
終了コード: 0 正しい（注意はあってもよい）、1 直すところがある、2 ファイルを使えない。

\b
例:
  xlsbridge settings check 団体設定.toml
  xlsbridge settings check 案件台帳.xlsx
""",
    },
    "xlsbridge rules": {
        "help": "validate が出す指摘をすべて一覧にする: コード、重さ、名前、意味、ルールブックの節。",
        "epilog": """\b
例:
  xlsbridge rules                       # 日本語の一覧
  xlsbridge rules --lang en
  xlsbridge rules --markdown > docs/rules.md   # ルールのページ（日本語と英語）
""",
        "options": {"markdown": "docs/rules.md のもとになる Markdown（日本語と英語）を出す。"},
    },
    "xlsbridge report": {
        "help": """期間中に団体がしたことを数える: 補助金や事業報告が求める数字。

\b
月ごとと合計で:
- 支援類型・状態（実施 / 予定 / 中止）ごとの面会
- 支援したケース、親、子ども（期間中に実施した面会があるもの。合計では期間全体で 1 回ずつ数える）
- 国の事業のケースとその面会
- 申込みと新しい契約
- 実施・中止した面会の請求額と返金（xlsbridge fees と同じ計算。入力エラーのある面会は推測せず未計算として数える）

数字だけで、名前・ケースID・連絡先はどの形式にも出しません。
""",
        "epilog": """\b
例:
  xlsbridge report 案件台帳.xlsx --from 2025-04-01 --to 2026-03-31
  xlsbridge report 案件台帳.xlsx --from R7.4.1 --to R8.3.31 --format csv > 実績_2025年度.csv
  xlsbridge report 案件台帳.xlsx --from 2025-04-01 --to 2026-03-31 --sheet          # 台帳に 実績報告 シート
  xlsbridge report 案件台帳.xlsx --from 2025-04-01 --to 2026-03-31 --out 実績報告.xlsx  # 数字だけのファイル
""",
        "options": {
            "start": "期間の最初の日（例 2025-04-01、R7.4.1）。",
            "end": "期間の最後の日（その日を含む）。",
            "fmt": "text は人が読む形、csv（BOM 付き UTF-8）は Excel で開ける、json には schema_version がある。",
            "sheet": "台帳に 実績報告 シートも書く（安全に、バックアップを作ってから）。",
            "out": "実績報告 シートだけの新しいファイルに書く（補助金の提出先に送る用）。",
            "password_env": PASSWORD_WRITES,
        },
    },
    "xlsbridge doctor": {
        "help": """この PC の xlsbridge の準備を確かめ、LEDGER があればそれも確かめて、問題ごとにどうするかを表示する。

\b
- Python（3.11 以上。Microsoft Store 版でない。フォルダー名に日本語がない）、xlsbridge、xlwings
- アドイン: 版がこのパッケージと同じであること（違うとリボンがおかしくなる）
- xlsbridge.conf: リボンがこの Python を使うこと（Windows と macOS）
- LEDGER: テンプレートの版（今の版・古い版なら upgrade・新しい版なら xlsbridge を更新）と、リボンが読めるか
- LibreOffice（計画書の PDF にだけ必要）

何も変更しません。各行は ✓ 問題なし、△ 見ておくとよい、✗ 問題、→ にすることを示します。
""",
        "epilog": """\b
終了コード: 0 問題なし（△ の注意はあってもよい）、1 直すべき問題（✗）がある。

\b
例:
  xlsbridge doctor
  xlsbridge doctor 案件台帳.xlsx
  xlsbridge doctor 案件台帳.xlsx --addin dist\\xlsbridge.xlam
  xlsbridge doctor --lang en
""",
        "options": {"addin_file": "このパッケージと比べるアドインのファイル（xlsbridge.xlam）。既定: インストールしたもの（Windows と macOS）。"},
    },
    "xlsbridge bundle": {
        "help": """職員の PC に要るものを 1 つのフォルダーに書く。日本語のインストール手順とインターネット不要のインストーラー付き。

\b
install.cmd               インストーラー: C:\\xlsbridge に専用の環境、wheelhouse から xlsbridge を
                          インターネットなしで、アドイン、自己診断
wheelhouse/               xlsbridge と依存するものすべて（Windows 64 ビット、CPython 3.11〜3.13）
xlsbridge.xlam            アドイン（このパッケージから作る: 同じ版）
案件台帳テンプレート.xlsx   団体の設定を入れた台帳テンプレート
団体設定.toml              そのもとになった団体設定ファイル（管理者の控え）
インストール手順.txt        ブロックの解除、python.org の Python、install.cmd、うまくいかないとき
SHA256SUMS.txt            コピーを確かめるチェックサム

wheel は一度だけダウンロードして（win_amd64 用に pip download）、取っておきます。フォルダーは OUT の
横にまず書き、そろってから名前を変えて置きます。
""",
        "epilog": """\b
例:
  xlsbridge bundle --out 配布                                  # WEK の設定で
  xlsbridge bundle --out 配布 --settings 団体設定.toml --force
  xlsbridge bundle --out 配布 --settings 団体設定.toml --install-dir D:\\xlsbridge
  xlsbridge bundle --out 配布2 --wheelhouse 配布\\wheelhouse      # wheelhouse を使い回す。ダウンロードなし
""",
        "options": {
            "out": "書き出すフォルダー（新しいフォルダー、または --force で置き換え）。",
            "settings_path": "テンプレートに入れる設定の団体設定ファイル（.toml）か台帳（.xlsx）（既定: WEK の設定）。",
            "install_dir": "職員の PC で install.cmd が xlsbridge 専用の Python 環境を作る場所（英数字だけ、空白なし。install.cmd の引数で別のフォルダーも指定できる）。",
            "wheel": "配る xlsbridge の wheel（既定: このソースから作る）。",
            "wheelhouse": "ダウンロードする代わりに、このフォルダーの wheel を使う（例: 前の配布フォルダーの wheelhouse）。",
            "cache": "ダウンロードした wheel を取っておく場所（既定 ~/.cache/xlsbridge/wheelhouse）。",
            "force": "中身のあるフォルダーでも置き換える。",
        },
    },
    "xlsbridge addin": {
        "help": """Excel のアドイン: ボタンが xlwings で xlsbridge を動かす「xlsbridge」タブ。

build は VBA のソースから Excel なしで xlsbridge.xlam を作ります（同じソースなら同じバイト列）。
install は Excel が起動時に開く場所に置き、xlwings がこの Python を使うようにします。
""",
        "epilog": """\b
例:
  xlsbridge addin build                 # dist/xlsbridge.xlam を書き、sha256 を表示する
  xlsbridge addin install --dry-run     # アドインと設定がどこに入るかを表示する
  xlsbridge addin install               # そのあと Excel を起動し直すと「xlsbridge」タブが出る
""",
    },
    "xlsbridge addin build": {
        "help": "macros/ とインストールした xlwings の VBA から xlsbridge.xlam を作り、場所と sha256 を表示する。",
        "epilog": """\b
例:
  xlsbridge addin build
  xlsbridge addin build --out C:\\xlsbridge\\addin
""",
        "options": {"out_dir": "xlsbridge.xlam を書くフォルダー（なければ作る）。"},
    },
    "xlsbridge addin install": {
        "help": """この Windows / macOS のユーザーにアドインを入れる（xlwings addin install と同じように）。

Windows: xlsbridge.xlam を %APPDATA%\\Microsoft\\Excel\\XLSTART に写し、アドイン専用の
%USERPROFILE%\\.xlsbridge\\xlsbridge.conf の INTERPRETER_WIN をこの Python にします。
macOS: Excel の起動フォルダー、~/Library/Containers/com.microsoft.Excel/Data/xlsbridge.conf と xlwings の
AppleScript。xlwings 自体の xlwings.conf には触れません。Microsoft Store の Python、日本語を含むパス、
OneDrive のフォルダー、ダウンロードしたためブロックされたアドインについて注意を出します。先に Excel を閉じてください。
""",
        "epilog": """\b
例:
  xlsbridge addin install --dry-run
  xlsbridge addin install
  xlsbridge addin install --file \\\\server\\share\\xlsbridge.xlam   # 別の PC で作ったもの
""",
        "options": {
            "dry_run": "することと注意を表示するだけで、何も変えない。",
            "source": "作る代わりに、この作成済みの xlsbridge.xlam を入れる。",
        },
    },
    "xlsbridge addin lite": {
        "help": """xlwings Lite（Python を入れずに動く無料の Excel アドイン）のためのファイル。

requirements.txt（xlsbridge を指定）と main.py（import 1 行: 6 つのボタン）は Lite がブックの中に持つもの
です。xlsbridge template new で作った台帳には両方入っています。古い台帳では Lite のタブに貼り付けて
ください。docs/excel-lite.md を参照。
""",
        "epilog": """\b
例:
  xlsbridge addin lite --out lite                 # xlwings Lite に貼る requirements.txt と main.py
  xlsbridge addin lite --out lite --wheel         # と、https で公開する wheel
  xlsbridge addin lite --out lite --package https://example.org/dl/xlsbridge-0.1.0-py3-none-any.whl
""",
        "options": {
            "out_dir": "書き出すフォルダー（なければ作る）。",
            "package": "requirements.txt が xlsbridge として入れるもの: 要件（既定: xlsbridge==この版、PyPI から）か、公開した wheel の https の URL。",
            "wheel": "この xlsbridge を wheel（xlsbridge-VERSION-py3-none-any.whl）としても書く。",
        },
    },
    "xlsbridge backups": {
        "help": """xlsbridge が残した台帳のバックアップ（横の xlsbridge_backup フォルダー）を一覧にする。1 つを戻すこともできる。

その場で書き込むもの（fees、flags --write、plan、report --sheet）は、何も変わらないときを除いて、まず
台帳をそこに写します。台帳ごとに新しい 20 個を残します。別の数にするには XLSBRIDGE_KEEP_BACKUPS を
設定してください。書き込むのは --restore だけです。
""",
        "epilog": """\b
例:
  xlsbridge backups 案件台帳.xlsx                 # この台帳のバックアップを新しい順に
  xlsbridge backups 案件台帳.xlsx --restore 1     # いちばん新しいものを戻す（今の台帳も残す）
""",
        "options": {
            "choice": ("一覧の N 番（1 = いちばん新しい）か、このファイル名のバックアップを戻す。ふだんの更新と同じく、"
                       "Excel で開いているときは書かず、ロックしてから、今の台帳のバックアップを作ってから書く。"),
        },
    },
}

# click's own words (its gettext msgids) in Japanese.  Placeholders keep click's names.
CLICK_JA: dict[str, str] = {
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "Show this message and exit.": "この説明を表示して終了する。",
    "Show the version and exit.": "バージョンを表示して終了する。",
    "%(prog)s, version %(version)s": "%(prog)s バージョン %(version)s",
    "default: {default}": "既定: {default}",
    "required": "必須",
    "env var: {var}": "環境変数: {var}",
    "(dynamic)": "（実行時に決まる）",
    "Aborted!": "中断しました",
    "Missing command.": "コマンドを指定してください。",
    "No such command {name!r}.": "{name!r} というコマンドはありません。",
    "No such option {name!r}.": "{name!r} というオプションはありません。",
    "Did you mean {possibility}?": "もしかして {possibility} ですか？",
    "(Did you mean one of: {possibilities}?)": "（もしかして次のどれか: {possibilities}）",
    "Option {name!r} requires an argument.": "オプション {name} には値を指定してください。",
    "Option {name!r} requires {nargs} arguments.": "オプション {name} には値を {nargs} 個指定してください。",
    "Option {name!r} does not take a value.": "オプション {name} は値を取りません。",
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Got unexpected extra arguments ({args})": "余分な引数があります（{args}）",
    "Missing argument": "引数がありません",
    "Missing option": "オプションがありません",
    "Missing parameter": "指定がありません",
    "Missing parameter: {param_name}": "指定がありません: {param_name}",
    "{value} is not in the range {range}.": "{value} は範囲外です（{range} にしてください）。",
    "{value!r} is not a valid {number_type}.": "{value!r} は数として読めません（{number_type}）。",
    "{value!r} is not a valid boolean.": "{value!r} ははい・いいえとして読めません。",
    "{value!r} is not {choice}.": "{value!r} は {choice} ではありません。",
    "{value!r} is not one of {choices}.": "{value!r} は {choices} のどれでもありません。",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "{name} {filename!r} does not exist.": "{filename!r} がありません。",
    "{name} {filename!r} is a file.": "{filename!r} はファイルです（フォルダーを指定してください）。",
    "{name} {filename!r} is a directory.": "{filename!r} はフォルダーです（ファイルを指定してください）。",
    "{name} {filename!r} is not readable.": "{filename!r} を読めません。",
    "{name} {filename!r} is not writable.": "{filename!r} に書き込めません。",
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "'{command} {option}' で説明を表示できます。",
}
