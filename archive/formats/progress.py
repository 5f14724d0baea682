"""A byte-counting progress bar for files read record by record (mailboxes, web archives)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm


class _Silent:
    def update(self, n: int) -> None:
        pass


@contextmanager
def progress_bar(path: Path, shown: bool, what: str) -> Iterator[tqdm | _Silent]:
    """A bar over the file's size when `shown`, else one that does nothing."""
    if not shown:
        yield _Silent()
        return
    with tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=f"{path.name} ({what})") as bar:
        yield bar
