"""Word tables: the words a source writes for a value (评价 非常满意, 状态 已办理) → the value stored.

A source's vocabulary is never complete. A word no table knows does not reject its record:
the record is stored with the value :data:`UNKNOWN`, and the word is counted in the run's
report (``storm status``, the collectors page), so that a person can add it to the
collector's ``…_map`` setting and re-read.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from collectors.errors import SourceError

UNKNOWN = "unknown"
"""The value stored for a word no table knows."""
MAX_WORDS_KEPT = 20
"""Distinct unknown words kept per field in a run's report (the count of records is always complete)."""


def word_key(text: str) -> str:
    """A word as compared: full-width forms folded, case folded, white space dropped."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


class UnknownWords:
    """The words of a run that no table knew, counted by field."""

    def __init__(self) -> None:
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, field: str, word: str) -> None:
        self._counts[field][word] += 1

    def __bool__(self) -> bool:
        return any(self._counts.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        """``{field: {word: records}}``, the most frequent words first, at most :data:`MAX_WORDS_KEPT` each."""
        return {name: dict(counts.most_common(MAX_WORDS_KEPT)) for name, counts in sorted(self._counts.items())}

    def totals(self) -> dict[str, int]:
        """Records with an unknown word, by field."""
        return {name: sum(counts.values()) for name, counts in sorted(self._counts.items())}


def unknown_words_text(field_name: str, words: Mapping[str, int], total: int | None = None) -> str:
    """``23 records had a rating word we do not know: 很差 (20), 差 (3)``."""
    count = sum(words.values()) if total is None else total
    listed = ", ".join(f"{word} ({n})" for word, n in words.items())
    noun = "record" if count == 1 else "records"
    return f"{count} {noun} had a {field_name} word we do not know: {listed}"


@dataclass(frozen=True)
class WordTable:
    """The words of one field (``rating``, ``channel``, ``status`` …) and the values they stand for.

    ``words`` maps a word as sources write it to the stored value (``None`` for words that
    mean "not given", such as 未评价). The stored values themselves are accepted as they
    are. With ``contains``, a text matches the first word (in the table's order) it
    contains, for free text such as 来源渠道 "市长热线12345"; otherwise the whole text must
    be the word. Matching ignores case, full-width forms and white space.
    """

    field: str
    words: Mapping[str, str | None]
    contains: bool = False
    _keys: dict[str, str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = {word_key(word): value for word, value in self.words.items()}
        for value in self.values:
            keys.setdefault(word_key(value), value)
        object.__setattr__(self, "_keys", keys)

    @property
    def values(self) -> set[str]:
        """The values the table stores (besides :data:`UNKNOWN`)."""
        return {value for value in self.words.values() if value is not None}

    def extended(self, extra: Mapping[str, str | None], setting: str) -> WordTable:
        """This table with ``extra`` words (a ``…_map`` setting) before its own; a :class:`SourceError` names a
        target that is not one of the table's values."""
        for word, value in extra.items():
            if value not in self.values and value not in ("", None):
                raise SourceError(f"{setting}['{word}'] = '{value}' is not a {self.field}; "
                                  f"use one of {', '.join(sorted(self.values))}")
        added = {str(word): (value or None) for word, value in extra.items()}
        return WordTable(self.field, {**added, **{w: v for w, v in self.words.items() if w not in added}},
                         self.contains)

    def value(self, text: object, unknown: UnknownWords | None = None) -> str | None:
        """The stored value of ``text``: ``None`` when blank, :data:`UNKNOWN` (counted in ``unknown``) when
        no word of the table matches."""
        if text is None or not str(text).strip():
            return None
        key = word_key(str(text))
        if key in self._keys:
            return self._keys[key]
        if self.contains:
            found = next((value for word, value in self._keys.items() if word and word in key), UNKNOWN)
            if found != UNKNOWN:
                return found
        if unknown is not None:
            unknown.add(self.field, str(text).strip())
        return UNKNOWN
