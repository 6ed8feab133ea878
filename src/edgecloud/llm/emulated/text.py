"""Answer text: words of a small bundled corpus, one word per token, read from a seeded offset."""

from __future__ import annotations

from functools import cache
from importlib import resources
from random import Random


@cache
def corpus_words() -> tuple[str, ...]:
    text = (resources.files("edgecloud.llm.emulated") / "corpus.txt").read_text()
    return tuple(text.split())


class TextSource:
    def __init__(self, rng: Random) -> None:
        self._rng = rng

    def words(self) -> list[str]:
        """The words of one answer, in order: a cycle through the corpus from a random word."""
        words = corpus_words()
        start = self._rng.randrange(len(words))
        return [*words[start:], *words[:start]]


def token_text(words: list[str], index: int) -> str:
    """The text of output token ``index``: a word with its leading space (but the first)."""
    word = words[index % len(words)]
    return word if index == 0 else " " + word
