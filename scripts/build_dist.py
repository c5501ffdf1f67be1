"""Build xlsbridge's sdist and wheel reproducibly: the same commit gives the same bytes.

    python scripts/build_dist.py [--outdir dist] [--wheel-only] [--isolation]

* The files git tracks are copied to a fresh folder and built there, so nothing left in the work
  tree (an old build/ folder, a stray module) ends up in a release.
* SOURCE_DATE_EPOCH is the last commit's time unless set (the wheel's file dates come from it).
* The sdist is rewritten as a deterministic tar: members sorted, owner 0/0, modes 644/755, every
  date SOURCE_DATE_EPOCH, gzip header without a name or date.
* ``python -m build`` runs without build isolation by default (setuptools and build come with the
  ``test`` extra), so the build needs no network; ``--isolation`` uses a fresh isolated environment
  as on a release machine.

Prints the files written with their sha256.  docs/releasing.md says how this is used for PyPI.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tracked_files(root: Path) -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                             capture_output=True, check=True).stdout
        return sorted({p for p in out.decode("utf-8").split("\0") if p})
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an unpacked sdist)
        return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                      if p.is_file() and not {".git", ".venv", "build", "dist", "__pycache__"} & set(p.parts))


def source_date_epoch(root: Path) -> int:
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, check=True)
        return int(out.stdout.strip())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 315532800  # 1980-01-01, the earliest date a zip can hold


def normalise_sdist(path: Path, epoch: int) -> None:
    """Rewrite the .tar.gz deterministically (setuptools takes dates and owners from the disk)."""
    with tarfile.open(path, "r:gz") as src:
        members = sorted(src.getmembers(), key=lambda m: m.name)
        data = {m.name: src.extractfile(m).read() for m in members if m.isfile()}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as out:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.mtime = epoch
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if m.isdir():
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                out.addfile(info)
            elif m.isfile():
                info.mode = 0o755 if m.mode & 0o111 else 0o644
                info.size = len(data[m.name])
                out.addfile(info, io.BytesIO(data[m.name]))
    with open(path, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=epoch, compresslevel=9) as gz:
        gz.write(raw.getvalue())


def build(outdir: Path, *, wheel_only: bool = False, isolation: bool = False) -> list[Path]:
    epoch = source_date_epoch(ROOT)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlsbridge-build-") as tmp:
        src = Path(tmp) / "src"
        for rel in tracked_files(ROOT):
            target = src / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if (ROOT / rel).is_symlink():  # e.g. xlsbridge/macros -> ../macros: kept a link
                os.symlink(os.readlink(ROOT / rel), target)
                continue
            if not (ROOT / rel).is_file():  # deleted in the work tree but not yet in git
                continue
            shutil.copy2(ROOT / rel, target)
            os.utime(target, (epoch, epoch))
        built = Path(tmp) / "dist"
        cmd = [sys.executable, "-m", "build", "--outdir", str(built)]
        cmd += ["--wheel"] if wheel_only else ["--sdist", "--wheel"]
        if not isolation:
            cmd.append("--no-isolation")
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0"}
        done = subprocess.run([*cmd, str(src)], cwd=src, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"python -m build failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        written = []
        for file in sorted(built.iterdir()):
            if file.name.endswith(".tar.gz"):
                normalise_sdist(file, epoch)
            dest = outdir / file.name
            shutil.copyfile(file, dest)
            written.append(dest)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", type=Path, default=ROOT / "dist")
    parser.add_argument("--wheel-only", action="store_true")
    parser.add_argument("--isolation", action="store_true")
    args = parser.parse_args()
    for path in build(args.outdir, wheel_only=args.wheel_only, isolation=args.isolation):
        print(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path}")


if __name__ == "__main__":
    main()
