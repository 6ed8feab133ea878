"""What the fit sends: cells of (concurrency, prompt length), each run for a few rounds."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from edgecloud.llm.emulated.text import corpus_words

# The words of the bundled corpus run about 1.3 tokens per word with the small models' tokenizers.
_TOKENS_PER_WORD = 1.3


@dataclass(frozen=True, slots=True)
class Cell:
    concurrency: int
    prompt_tokens: int  # the target; the engine's usage says what it really was


@dataclass(frozen=True, slots=True)
class FitWorkload:
    concurrencies: tuple[int, ...] = (1, 2, 4, 8)
    prompt_tokens: tuple[int, ...] = (32, 256, 768, 1536)
    output_tokens: int = 48
    rounds: int = 3

    def cells(self) -> list[Cell]:
        return [Cell(c, p) for c, p in itertools.product(self.concurrencies, self.prompt_tokens)]

    def requests(self) -> int:
        return sum(cell.concurrency for cell in self.cells()) * self.rounds


def prompt(target_tokens: int) -> str:
    """A prompt of about ``target_tokens`` tokens that starts with a word never sent before, so an
    engine's prefix cache cannot shorten its prefill."""
    words = corpus_words()
    count = max(1, round(target_tokens / _TOKENS_PER_WORD) - 4)
    body = " ".join(itertools.islice(itertools.cycle(words), count))
    return f"{uuid.uuid4().hex[:8]} {body}"
