"""The command line in the user's language: help texts, click's own messages and ``--lang`` anywhere.

* The language is taken from the command line before click parses it (``--lang en`` may stand
  anywhere on the line, also after the command) or from ``XLSBRIDGE_LANG``; an unknown value is
  one line naming where it came from, exit 2.
* Each command, when loaded, gets the help texts of that language: the English ones written in the
  command modules, or the Japanese ones of :mod:`.help_ja`, and a line saying what it writes.
* click's own words ("Usage:", "Options:", "No such option", "… is not in the range …") go
  through gettext; the Japanese for each is in :data:`.help_ja.CLICK_JA`.

Only click and the standard library: every run imports this.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import click

from ..errors import UserError
from ..i18n import get_lang, set_lang

LANG_ENV = "XLSBRIDGE_LANG"
LANGS = ("ja", "en")


def lang_from(argv: list[str], environ: Mapping[str, str] = os.environ) -> str:
    """The language of this run: the last ``--lang`` on the line, else XLSBRIDGE_LANG, else ja."""
    given: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            given = argv[i + 1]
        elif arg.startswith("--lang="):
            given = arg[len("--lang="):]
    if given is not None:
        if given not in LANGS:
            raise UserError(f"--lang には ja か en を指定してください（指定: {given[:20]}）",
                            f"--lang takes ja or en (given: {given[:20]})")
        return given
    env = environ.get(LANG_ENV, "").strip()
    if env and env not in LANGS:
        raise UserError(f"環境変数 {LANG_ENV} には ja か en を指定してください（値: {env[:20]}）",
                        f"the environment variable {LANG_ENV} takes ja or en (value: {env[:20]})")
    return env or "ja"


def _lang_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:  # given on the line: already applied by lang_from(), applied again for direct calls
        set_lang(value)
        path = " ".join(["xlsbridge", *ctx.command_path.split()[1:]])
        localize(ctx.command, path)  # a command invoked without run_cli gets its help in this language too
    return value


def lang_option() -> click.Option:
    return click.Option(["--lang"], type=click.Choice(list(LANGS)), default=None, is_eager=True,
                        expose_value=False, callback=_lang_callback, metavar="ja|en",
                        help="Language of messages and help (default ja, or XLSBRIDGE_LANG). Allowed anywhere on the line.")


# --- help texts ------------------------------------------------------------------------------

def localize(cmd: click.Command, path: str) -> click.Command:
    """Set ``cmd``'s help, epilog and option help to the current language (subcommands too)."""
    from .help_ja import COMMON_OPTIONS, HELP, WRITES

    english = cmd.__dict__.setdefault("_xlsbridge_en", {
        "help": cmd.help, "epilog": cmd.epilog, "short_help": cmd.short_help,
        "params": {p.name: getattr(p, "help", None) for p in cmd.params},
    })
    if not any(p.name == "lang" for p in cmd.params):
        cmd.params.append(lang_option())
        english["params"]["lang"] = cmd.params[-1].help
    ja = get_lang() == "ja"
    entry = HELP.get(path, {}) if ja else {}
    help_text = entry.get("help", english["help"]) if ja else english["help"]
    writes = WRITES.get(path)
    if writes is not None and help_text is not None:
        help_text = help_text.rstrip() + "\n\n" + (f"書き込み: {writes[0]}" if ja else f"Writes: {writes[1]}")
    cmd.help = wrap_ja(help_text, 88) if ja and help_text else help_text
    cmd.epilog = entry.get("epilog", english["epilog"]) if ja else english["epilog"]
    if ja and "help" in entry:
        cmd.short_help = entry.get("short_help") or entry["help"].strip().splitlines()[0]
    else:
        cmd.short_help = english["short_help"]
    options = entry.get("options", {}) if ja else {}
    for param in cmd.params:
        if not isinstance(param, click.Option):
            continue
        if ja:
            text = options.get(param.name) or COMMON_OPTIONS.get(param.name)
            param.help = wrap_ja(text, 62) if text is not None else english["params"].get(param.name)
        else:
            param.help = english["params"].get(param.name)
    if hasattr(cmd, "_help_option"):
        cmd._help_option = None  # click keeps its --help option, with the help text of the first run
    if isinstance(cmd, click.Group):  # the lazy top group has no commands here: each is localized when loaded
        for name, sub in cmd.commands.items():
            localize(sub, f"{path} {name}")
    return cmd


def _width(ch: str) -> int:
    import unicodedata

    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


_NO_LINE_START = set("、。，．）」』】・：:,.)!！?？ーッャュョァィゥェォっゃゅょぁぃぅぇぉ")


def wrap_ja(text: str, width: int) -> str:
    """Japanese paragraphs wrapped by display width (click wraps at spaces only, and joins a
    paragraph's lines with a space); each wrapped paragraph is marked ``\\b`` so click keeps it."""
    paragraphs = text.strip("\n").split("\n\n")
    out: list[str] = []
    for para in paragraphs:
        lines = para.split("\n")
        if lines[0].strip() == "\b":  # kept as written (lists, tables)
            out.append(para)
            continue
        joined = ""
        for line in (x.strip() for x in lines):
            if joined and line and ((joined[-1].isascii() and joined[-1].isalnum())
                                    or (line[0].isascii() and line[0].isalnum() and joined[-1] not in "、。（「『・：")):
                joined += " "
            joined += line
        wrapped, current, used = [], "", 0
        for ch in joined:
            w = _width(ch)
            if used + w > width and current and ch not in _NO_LINE_START:
                carry = ""
                if ch.isascii() and not ch.isspace() and current[-1].isascii() and not current[-1].isspace():
                    cut = len(current)  # never break an ASCII word (2026-03-01, --out): move it down whole
                    while cut > 0 and current[cut - 1].isascii() and not current[cut - 1].isspace():
                        cut -= 1
                    if cut > 0:
                        current, carry = current[:cut], current[cut:]
                wrapped.append(current.rstrip())
                current, used = carry, sum(map(_width, carry))
                if ch == " " and not carry:
                    continue
            current += ch
            used += w
        if current:
            wrapped.append(current.rstrip())
        out.append("\b\n" + "\n".join(wrapped) if len(wrapped) > 1 else joined)
    return "\n\n".join(out)


# --- click's own messages ----------------------------------------------------------------------

def _gettext(message: str) -> str:
    if get_lang() != "ja":
        return message
    from .help_ja import CLICK_JA

    return CLICK_JA.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install_click_messages() -> None:
    """Route click's gettext calls through the table (click imports ``gettext as _`` per module)."""
    import importlib

    for name in ("core", "exceptions", "formatting", "types", "parser", "decorators", "termui"):
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a click without that module
            continue
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
