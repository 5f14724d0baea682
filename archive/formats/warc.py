"""Web archives (.warc, .warc.gz) through warcio: every HTML response is one document with its URL, dated by the
page itself or else by the record (the crawl date is kept as `meta["crawled_at"]` either way). Records are read
one at a time, so a crawl of any size is read in bounded memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.documents import Original, Problem, RawRecord
from archive.errors import BadInputError
from archive.formats import bad_input
from archive.formats.html import read_html
from archive.formats.progress import progress_bar

MAX_PAGE_BYTES = 20_000_000
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Records that capture something at a URI; each one not stored is reported with why (request, metadata and
# warcinfo records describe a crawl, they hold no page).
_CAPTURES = ("response", "resource", "revisit", "conversion")


def _not_a_page(record) -> str | None:
    """Why a capture record is not a page to store, or None when it is one (a 2xx HTML response)."""
    if record.rec_type == "revisit":
        return "a revisit (the page was unchanged since an earlier capture)"
    if record.rec_type != "response" or record.http_headers is None:
        return "not an HTTP response (only http(s) pages are read)"
    status = record.http_headers.get_statuscode() or ""
    kind = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if not status.startswith("2"):
        return f"HTTP status {status or 'missing'}"
    if kind not in _HTML_TYPES:
        return f"not an HTML page ({kind or 'no content type'})"
    return None


def read_warc(path: Path, decode: Callable[[bytes, str], str], progress: bool = False) -> Iterator[RawRecord | Problem]:
    """Each successful HTML response as a record (origin `path#URL`); pages that cannot be read as problems."""
    pages = 0
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise bad_input(str(path), f"cannot read: {exc.strerror or exc}") from exc
    with handle, progress_bar(path, progress, "web archive") as bar:
        read = 0
        try:
            for record in ArchiveIterator(handle):
                position = handle.tell()
                bar.update(position - read)
                read = position
                if record.rec_type not in _CAPTURES:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                origin = f"{path}#{url}"
                why = _not_a_page(record)
                if why:
                    yield Problem(origin, f"{record.rec_type} record not stored: {why}")
                    continue
                pages += 1
                kind = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
                data = record.content_stream().read(MAX_PAGE_BYTES + 1)
                if len(data) > MAX_PAGE_BYTES:
                    yield Problem(origin, f"page is over {MAX_PAGE_BYTES // 1_000_000} MB; skipped")
                    continue
                crawled = record.rec_headers.get_header("WARC-Date")
                try:
                    page = read_html(decode(data, origin), origin, url=url or None, date=crawled)
                    yield replace(
                        page,
                        meta={**page.meta, "crawled_at": crawled} if crawled else page.meta,
                        original=Original(data, _page_name(url), kind),
                    )
                except BadInputError as exc:
                    yield Problem(origin, exc.message.removeprefix(f"{origin}: "))
        except ArchiveLoadFailed as exc:
            raise bad_input(str(path), f"not a readable web archive (WARC): {exc}") from exc
    if pages == 0:
        raise bad_input(str(path), "web archive holds no HTML responses")


def _page_name(url: str) -> str:
    """A download name for a crawled page: its host and path, ending in .html."""
    name = url.split("://", 1)[-1].split("?", 1)[0].strip("/").replace("/", "-") or "page"
    return name if name.lower().endswith((".html", ".htm")) else name + ".html"
