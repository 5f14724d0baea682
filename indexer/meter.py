"""What a long ingest says while it runs: each problem when it happens, and a progress line every so often.

On a terminal the bars of `tqdm` show progress; anywhere else (a log file, a pipe, a CI job) a line such as

    ingest 12:04:31: 58 of 120 files, 1,203 documents read: 1,150 stored, 41 unchanged, 12 skipped; 4.1 documents/s,
    about 2 min left for reading

is printed at least every `interval` seconds, and another as chunks are embedded. Each skipped input and each
warning is written at once (not only at the end). The meter writes to a stream; it knows nothing of the CLI.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from archive.documents import IngestReport, Problem


class Meter:
    def __init__(
        self,
        stream: TextIO | None = None,
        interval: float = 30.0,
        lines: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.lines = lines
        self.clock = clock
        self.started = clock()
        self.last = self.started
        self.files_total = 0
        self.files_done = 0

    def problem(self, kind: str, problem: Problem) -> None:
        """A skipped input or a warning, written when it happens."""
        self._write(f"{kind} {problem.origin}: {problem.reason}")

    def tick(self, report: IngestReport) -> None:
        """After each document: a progress line when `interval` has passed since the last one."""
        now = self.clock()
        if not self.lines or now - self.last < self.interval:
            return
        self.last = now
        self._write(self.reading_line(report, now))

    def reading_line(self, report: IngestReport, now: float) -> str:
        seen = len(report.added) + len(report.updated) + len(report.unchanged) + len(report.skipped)
        stored = len(report.added) + len(report.updated)
        elapsed = max(now - self.started, 1e-9)
        line = (
            f"ingest {datetime.now().strftime('%H:%M:%S')}: {self.files_done:,} of {self.files_total:,} files, "
            f"{seen:,} documents read: {stored:,} stored, {len(report.unchanged):,} unchanged, "
            f"{len(report.skipped):,} skipped; {seen / elapsed:.1f} documents/s"
        )
        if 0 < self.files_done < self.files_total:
            left = elapsed / self.files_done * (self.files_total - self.files_done)
            line += f", about {_duration(left)} left for reading"
        return line

    def embedding(self, done: int, total: int) -> None:
        """After each batch of chunks embedded: a progress line when `interval` has passed."""
        now = self.clock()
        if not self.lines or (now - self.last < self.interval and done < total):
            return
        self.last = now
        self._write(f"ingest {datetime.now().strftime('%H:%M:%S')}: {done:,} of {total:,} new chunks embedded")

    def _write(self, line: str) -> None:
        if not self.lines:
            from tqdm import tqdm

            tqdm.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
