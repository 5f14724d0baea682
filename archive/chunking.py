"""Paragraphs to chunks that fit the embedding model's window, split on sentence boundaries only.

Token counts come from the model's own tokenizer, passed in as `count_tokens`, so this module does not know
which model is in use. CHUNKER_VERSION changes whenever the rules here change; an index built by another
version is rebuilt rather than mixed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from archive.documents import Chunk

CHUNKER_VERSION = "paragraph-sentences-2+min-words+quotes-1"
TokenCounter = Callable[[Sequence[str]], list[int]]
MIN_WORDS = 8

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt gov sen rep rev hon no nos vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k fig approx".split()
)
_SENTENCE_END = re.compile(r"([.!?…]+[”\"’')\]]*)\s+(?=[“\"‘'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph. Abbreviations (Mr., U.S.) and initials do not end a sentence."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.group(1).startswith(".") and _is_abbreviation(text[start : match.start(1)]):
            continue
        sentences.append(text[start : match.end(1)].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def _is_abbreviation(before: str) -> bool:
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    word = word.lstrip("(“\"‘'")
    return (len(word) == 1 and word.isupper()) or word.lower() in _ABBREVIATIONS


def chunk_document(
    doc_id: str,
    title: str,
    paragraphs: Sequence[str],
    count_tokens: TokenCounter,
    max_tokens: int,
    context_tokens: int,
    min_words: int = MIN_WORDS,
) -> list[Chunk]:
    """Chunks in reading order. Each carries the end of the text before it as context. A paragraph of fewer than
    `min_words` words ("Dave,", "Thanks, Jim", a lone heading) is never a chunk of its own while it has a neighbour
    it fits with (see `_join_short`)."""
    pieces: list[tuple[int, str, int]] = []
    counts = count_tokens(list(paragraphs)) if paragraphs else []
    for number, (paragraph, n_tokens) in enumerate(zip(paragraphs, counts, strict=True)):
        if n_tokens <= max_tokens:
            pieces.append((number, paragraph, n_tokens))
        else:
            pieces.extend((number, text, n) for text, n in _split_long(paragraph, count_tokens, max_tokens))
    pieces = _join_short(pieces, max_tokens, min_words)
    chunks, previous = [], ""
    for position, (number, text, n_tokens) in enumerate(pieces):
        context = tail_context(previous, count_tokens, context_tokens) if previous else ""
        chunks.append(Chunk(doc_id, position, number, text, context, title, n_tokens))
        previous = text
    return chunks


def _join_short(pieces: list[tuple[int, str, int]], max_tokens: int, min_words: int) -> list[tuple[int, str, int]]:
    """Short pieces joined to a neighbour: a salutation or heading (ending in `,` or `:`, or the first piece) to
    the piece after it, anything else (a sign-off, a lone line) to the piece before it, the other way when that
    one is full. A joined chunk keeps the paragraph number of its first piece."""
    result = list(pieces)
    i = 0
    while i < len(result) and len(result) > 1:
        number, text, n_tokens = result[i]
        if len(text.split()) >= min_words:
            i += 1
            continue
        forward = i == 0 or text.rstrip().endswith((",", ":"))
        order = [i + 1, i - 1] if forward else [i - 1, i + 1]
        target = next((j for j in order if 0 <= j < len(result) and result[j][2] + n_tokens <= max_tokens), None)
        if target is None:
            i += 1
            continue
        first, second = (i, target) if target > i else (target, i)
        joined = (result[first][0], result[first][1] + " " + result[second][1], result[first][2] + result[second][2])
        result[first : second + 1] = [joined]
        i = first
    return result


def _split_long(paragraph: str, count_tokens: TokenCounter, max_tokens: int) -> list[tuple[str, int]]:
    """Sentences packed into balanced groups under the limit; a sentence over the limit alone is cut at
    clause boundaries, and only text with no boundary at all is cut between words."""
    units: list[str] = []
    sentences = split_sentences(paragraph)
    for sentence, n in zip(sentences, count_tokens(sentences), strict=True):
        units.extend([sentence] if n <= max_tokens else _split_oversized(sentence, count_tokens, max_tokens))
    sizes = count_tokens(units)
    total = sum(sizes)
    groups = max(1, math.ceil(total / max_tokens))
    target = total / groups
    result: list[tuple[str, int]] = []
    current: list[str] = []
    current_size = 0
    for unit, size in zip(units, sizes, strict=True):
        if current and (current_size + size > max_tokens or current_size >= target):
            result.append((" ".join(current), current_size))
            current, current_size = [], 0
        current.append(unit)
        current_size += size
    if current:
        result.append((" ".join(current), current_size))
    return result


def _split_oversized(sentence: str, count_tokens: TokenCounter, max_tokens: int) -> list[str]:
    clauses = [c for c in re.split(r"(?<=[;:,])\s+", sentence) if c]
    words_per_piece = max(8, int(max_tokens * 0.6))
    pieces: list[str] = []
    for clause in clauses:
        words = clause.split()
        pieces.extend(" ".join(words[i : i + words_per_piece]) for i in range(0, len(words), words_per_piece))
    merged: list[str] = []
    sizes = count_tokens(pieces)
    size_so_far = 0
    for piece, size in zip(pieces, sizes, strict=True):
        if merged and size_so_far + size <= max_tokens:
            merged[-1] += " " + piece
            size_so_far += size
        else:
            merged.append(piece)
            size_so_far = size
    return merged


def tail_context(previous: str, count_tokens: TokenCounter, budget: int) -> str:
    """The last whole sentences of the previous text that fit the budget; if even the last one does not,
    its opening words (where the speaker or subject is usually named)."""
    if budget <= 0:
        return ""
    sentences = split_sentences(previous)
    sizes = count_tokens(sentences)
    kept: list[str] = []
    used = 0
    for sentence, size in zip(reversed(sentences), reversed(sizes), strict=True):
        if used + size > budget:
            break
        kept.insert(0, sentence)
        used += size
    if kept:
        return " ".join(kept)
    words = sentences[-1].split() if sentences else []
    return " ".join(words[: max(1, int(budget * 0.6))]) + " …"
