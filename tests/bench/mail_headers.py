"""Figures for mail headers and threads on a folder of real e-mail (default: ../shared/data/enron-mail).

    python tests/bench/mail_headers.py [FOLDER]

Prints: messages read; messages with a Cc header and the share whose Cc addresses are kept in meta; addresses
with a display name; threads found (by Message-ID links, by subject fallback); messages whose parent (the message
they answer) is in the folder. Reads the files only (no archive is built); threads are computed by the same
function the store uses.
"""

from __future__ import annotations

import email
import email.policy
import sys
from email.utils import getaddresses
from pathlib import Path

from archive.dates import DateError, parse_date
from archive.readers import read_file
from archive.threads import MessageLinks, thread_ids

ROOT = Path(__file__).resolve().parents[2]


def main(folder: Path) -> None:
    messages = with_cc = cc_kept = addresses = named = 0
    links: list[MessageLinks] = []
    for path in sorted(folder.rglob("*.eml")):
        raw = path.read_bytes()
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        records, _ = read_file(path)
        mail = next((r for r in records if "attachment_of" not in r.meta), None)
        if mail is None:
            continue
        messages += 1
        if parsed.get_all("cc"):
            with_cc += 1
            expected = {a.lower() for _, a in getaddresses([str(v) for v in parsed.get_all("cc")]) if "@" in a}
            cc_kept += bool(expected) and expected <= set(mail.meta.get("cc", []))
        everyone = {mail.meta.get("from"), *(a for role in ("to", "cc", "bcc") for a in mail.meta.get(role, []))}
        everyone.discard(None)
        addresses += len(everyone)
        named += sum(1 for a in everyone if a in mail.meta.get("names", {}))
        links.append(MessageLinks.of(str(path), mail.title, _date(mail.date), mail.meta))
    threads = thread_ids(links)
    by_thread: dict[str, list[MessageLinks]] = {}
    for link in links:
        by_thread.setdefault(threads[link.doc_id].thread, []).append(link)
    multi = {t: members for t, members in by_thread.items() if len(members) > 1}
    by_subject = sum(1 for t in multi if any(threads[m.doc_id].how == "subject" for m in multi[t]))
    with_parent = sum(1 for link in links if threads[link.doc_id].parent is not None)
    print(f"messages: {messages}")
    print(f"with a Cc header: {with_cc}; Cc kept: {cc_kept} ({cc_kept / max(with_cc, 1):.1%})")
    print(f"addresses with a display name: {named} of {addresses} ({named / max(addresses, 1):.1%})")
    print(
        f"threads of 2 or more messages: {len(multi)} ({sum(len(m) for m in multi.values())} messages), "
        f"{by_subject} joined by subject only (no Message-ID link)"
    )
    print(f"messages whose parent is in the folder: {with_parent}")


def _date(value: str | None) -> str | None:
    try:
        return parse_date(value) if value else None
    except DateError:
        return None


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "enron-mail")
