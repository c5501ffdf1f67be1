"""The patched package's zip, deflated on a worker thread while the parts are produced.

zlib's deflate, inflate and crc32 let go of Python's lock on large buffers, so the parts of a package
(the streamed sheet's XML, a generated sheet, an unchanged part copied) can be compressed on a second
core while the main thread makes the next ones.  ``PackageOut`` takes the operations in order (an
entry opened, its bytes, an entry written at once, an unchanged part copied) and runs them in that
order on ONE worker, so the zip is the very one written without it: deflate's output does not depend
on how its input is cut into pieces.  The queue between the two holds at most ``QUEUE_DEPTH`` pieces of
about ``PIECE`` bytes, so memory stays flat however large a sheet is.

Where no thread can start (xlwings Lite runs in Pyodide, which has none) the operations run inline.
"""

from __future__ import annotations

import io
import queue
import shutil
import sys
import threading
import zipfile
from typing import Any, Callable

# Bytes handed to the worker at once: large, so that zlib runs long without the lock and the worker
# waits for it less often (at 50,000 visits: 512 KB 1.65 s, 2 MB 1.49 s for the save; three pieces in
# flight cost ~ 7 MB of memory).
PIECE = 1 << 21
QUEUE_DEPTH = 1  # pieces waiting for the worker (one more is being deflated, one filled)
THREADED = True  # False: every operation inline (tests compare both)
# While the worker runs, the main thread is asked to let go of the GIL after 1 ms instead of Python's
# 5 ms: the worker takes the lock back after each zlib call (two a piece), and at 5 ms it spent a
# third of its time waiting for it (at 50,000 visits 2.1 -> 1.9 s for the save).
SWITCH_INTERVAL = 0.001


class _Zip:
    """The operations on the output zip; ``source`` is the package the unchanged parts come from."""

    def __init__(self, out: io.BytesIO, source: bytes):
        self.zout = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
        self._source_bytes = source
        self._source: zipfile.ZipFile | None = None
        self._entry: Any = None

    def open(self, info: zipfile.ZipInfo) -> None:
        self._entry = self.zout.open(info, "w")

    def write(self, data: bytes) -> None:
        self._entry.write(data)

    def close_entry(self) -> None:
        entry, self._entry = self._entry, None
        entry.close()

    def writestr(self, info: zipfile.ZipInfo, data: bytes) -> None:
        self.zout.writestr(info, data)

    def copy(self, info: zipfile.ZipInfo, member: zipfile.ZipInfo) -> None:
        """Part ``member`` of the source, inflated and deflated again into ``info``."""
        if self._source is None:  # its own reader: the main thread reads the source package meanwhile
            self._source = zipfile.ZipFile(io.BytesIO(self._source_bytes))
        with self._source.open(member) as src, self.zout.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, PIECE)

    def close(self) -> None:
        self.zout.close()
        if self._source is not None:
            self._source.close()

    def discard(self) -> None:
        """After a failure: let go of everything; the half-written zip is thrown away."""
        for close in (getattr(self._entry, "close", None), self.zout.close,
                      getattr(self._source, "close", None)):
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - the failure being raised is the one that counts
                    pass


class _Entry:
    """A zip entry being written: small writes gathered into pieces of about ``PIECE`` bytes (a
    bytearray handed over as it is, not copied: zlib reads it on the worker while the next fills)."""

    def __init__(self, send: Callable[[bytes | bytearray], None]):
        self._send = send
        self._piece = bytearray()

    def write(self, data: bytes) -> int:
        piece = self._piece
        piece += data
        if len(piece) >= PIECE:
            self._piece = bytearray()
            self._send(piece)
        return len(data)

    def flush(self) -> None:
        if self._piece:
            piece, self._piece = self._piece, bytearray()
            self._send(piece)


class _Worker(threading.Thread):
    """Runs the operations put in its queue, in order; after a failure it only drains the queue."""

    def __init__(self) -> None:
        super().__init__(name="xlsbridge-zip", daemon=True)
        self.jobs: queue.Queue[tuple[Callable[..., None], tuple[Any, ...]] | None] = queue.Queue(QUEUE_DEPTH)
        self.error: BaseException | None = None
        self.cancelled = False  # the main thread failed: what is queued is dropped

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if self.error is None and not self.cancelled:
                try:
                    job[0](*job[1])
                except BaseException as exc:  # noqa: BLE001 - raised again on the main thread
                    self.error = exc


class PackageOut:
    """The output zip, written in the order the operations are given.  Use as a context manager: on
    leaving it normally the zip is finished (an error on the worker is raised here); on an exception
    the worker is stopped and the half-written zip thrown away."""

    def __init__(self, out: io.BytesIO, source: bytes):
        self._zip = _Zip(out, source)
        self._worker: _Worker | None = None
        self._interval: float | None = None
        if THREADED:
            worker = _Worker()
            try:
                worker.start()
            except RuntimeError:  # Pyodide (xlwings Lite): no threads; everything inline
                pass
            else:
                self._worker = worker
                self._interval = sys.getswitchinterval()
                sys.setswitchinterval(min(self._interval, SWITCH_INTERVAL))

    @property
    def threaded(self) -> bool:
        return self._worker is not None

    def _do(self, op: Callable[..., None], *args: Any) -> None:
        worker = self._worker
        if worker is None:
            op(*args)
            return
        if worker.error is not None:
            raise worker.error
        worker.jobs.put((op, args))

    def writestr(self, info: zipfile.ZipInfo, data: bytes) -> None:
        self._do(self._zip.writestr, info, data)

    def copy(self, info: zipfile.ZipInfo, member: zipfile.ZipInfo) -> None:
        self._do(self._zip.copy, info, member)

    def open(self, info: zipfile.ZipInfo) -> "_EntryContext":
        return _EntryContext(self, info)

    def __enter__(self) -> "PackageOut":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancelled = exc_type is not None
            worker.jobs.put(None)
            worker.join()
            sys.setswitchinterval(self._interval)
        if exc_type is not None:
            self._zip.discard()
            return
        if worker is not None and worker.error is not None:
            self._zip.discard()
            raise worker.error
        self._zip.close()


class _EntryContext:
    def __init__(self, package: PackageOut, info: zipfile.ZipInfo):
        self._package = package
        self._info = info
        self._entry: _Entry | None = None

    def __enter__(self) -> _Entry:
        package = self._package
        package._do(package._zip.open, self._info)
        self._entry = _Entry(lambda piece: package._do(package._zip.write, piece))
        return self._entry

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self._entry.flush()
            self._package._do(self._package._zip.close_entry)
