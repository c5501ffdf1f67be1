"""What an admin ships for xlwings Lite: `xlsbridge addin lite --out DIR`.

* ``requirements.txt``: what to paste into Lite's requirements.txt tab (xlsbridge, from PyPI, or the
  URL where the admin publishes the wheel);
* ``main.py``: what to paste into Lite's main.py tab (one import that lists the six buttons);
* with ``--wheel``: ``xlsbridge-<version>-py3-none-any.whl``, this installed xlsbridge as a wheel
  (pure Python), for an admin who publishes it at an https address Lite can fetch until xlsbridge
  is on PyPI.  It is built from the installed package, so it is exactly the code this PC runs.

Ledgers made by ``xlsbridge template new`` already carry requirements.txt and main.py; these files
are for ledgers made earlier and for repeating the Pyodide harness (tests/test_lite_pyodide.py) by
hand.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

from .. import __version__
from ..io.lite_part import MAIN_PY, default_requirements

PACKAGE_DATA = ("data", "macros")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def wheel_name(version: str = __version__) -> str:
    return f"xlsbridge-{version}-py3-none-any.whl"


def _metadata() -> tuple[str, str]:
    """METADATA and entry_points.txt of the installed xlsbridge."""
    import importlib.metadata as md

    dist = md.distribution("xlsbridge")
    metadata = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    if not metadata:
        metadata = f"Metadata-Version: 2.1\nName: xlsbridge\nVersion: {__version__}\n"
    groups: dict[str, list[str]] = {}
    for ep in dist.entry_points:
        groups.setdefault(ep.group, []).append(f"{ep.name} = {ep.value}")
    entry_points = "".join(f"[{g}]\n" + "\n".join(sorted(lines)) + "\n\n" for g, lines in sorted(groups.items()))
    return metadata, entry_points


def _licence(root: Path) -> bytes | None:
    import importlib.metadata as md

    beside = root.parent / "LICENSE"  # a source checkout
    if beside.is_file():
        return beside.read_bytes()
    text = md.distribution("xlsbridge").read_text("licenses/LICENSE")
    return text.encode("utf-8") if text else None


def _package_files(root: Path) -> list[tuple[str, bytes]]:
    """The package's modules and data files (xlsbridge/macros is a link to the repository's macros/:
    followed, as setuptools does)."""
    import os

    files = []
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = Path(folder) / name
            rel = path.relative_to(root.parent)
            if path.suffix in (".pyc", ".pyo"):
                continue
            if path.suffix != ".py" and not (len(rel.parts) > 2 and rel.parts[1] in PACKAGE_DATA):
                continue
            files.append((rel.as_posix(), path.read_bytes()))
    return sorted(files)


def build_wheel() -> bytes:
    """This installed xlsbridge as a py3-none-any wheel (fixed dates: the same code, the same bytes)."""
    import xlsbridge

    root = Path(xlsbridge.__file__).resolve().parent
    info = f"xlsbridge-{__version__}.dist-info"
    metadata, entry_points = _metadata()
    files = _package_files(root)
    files += [(f"{info}/METADATA", metadata.encode("utf-8")),
              (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: xlsbridge addin lite\nRoot-Is-Purelib: true\n"
                                b"Tag: py3-none-any\n")]
    if entry_points:
        files.append((f"{info}/entry_points.txt", entry_points.encode("utf-8")))
    licence = _licence(root)
    if licence:
        files.append((f"{info}/licenses/LICENSE", licence))
    record = "".join(f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
                     f"{len(data)}\n" for name, data in files) + f"{info}/RECORD,,\n"
    files.append((f"{info}/RECORD", record.encode("utf-8")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            entry = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            z.writestr(entry, data)
    return out.getvalue()


def write_lite_files(out_dir: Path, *, package: str | None = None, wheel: bool = False) -> list[Path]:
    """Write requirements.txt, main.py (and the wheel) into ``out_dir``; returns the paths."""
    from ..io.safe_write import atomic_write

    out_dir.mkdir(parents=True, exist_ok=True)
    contents = {"requirements.txt": default_requirements(package).encode("utf-8"), "main.py": MAIN_PY.encode("utf-8")}
    if wheel:
        contents[wheel_name()] = build_wheel()
    import os

    umask = os.umask(0)
    os.umask(umask)
    written = []
    for name, data in contents.items():
        target = out_dir / name
        atomic_write(target, lambda tmp, data=data: tmp.write_bytes(data))
        os.chmod(target, 0o644 & ~umask)  # the temporary file was private; these are to be shared
        written.append(target)
    return written
