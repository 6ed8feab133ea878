"""The decision LLM: any OpenAI-compatible endpoint (the edge vLLM by default)."""

from __future__ import annotations

from typing import Any

import httpx

from edgecloud.model.tasks import Route

ANSWER_PREFIX = "Answer:"


class DecisionLlmError(RuntimeError):
    """The decision LLM could not be reached or answered out of protocol."""


class DecisionClient:
    def __init__(self, client: httpx.AsyncClient, model: str) -> None:
        self._client = client
        self.model = model

    async def _complete(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            reply = await self._client.post("/v1/chat/completions", json=body)
            reply.raise_for_status()
            payload: dict[str, Any] = reply.json()
            return payload
        except (httpx.HTTPError, ValueError) as exc:
            raise DecisionLlmError(f"decision LLM failed: {exc.__class__.__name__}") from exc

    async def choose(self, messages: list[dict[str, str]]) -> str:
        """The answer text, constrained to the allowed words by vLLM structured outputs."""
        payload = await self._complete(
            {
                "model": self.model,
                "messages": messages,
                "max_tokens": 3,
                "temperature": 0,
                "structured_outputs": {"choice": [r.value for r in Route]},
            }
        )
        try:
            return str(payload["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError) as exc:
            raise DecisionLlmError("decision LLM answer has no content") from exc

    async def first_token_logprobs(self, messages: list[dict[str, str]]) -> list[tuple[str, float]]:
        """Top log-probabilities of the first answer token (scoring mode, no sampling).

        The assistant's turn is opened with "Answer:" and continued: left to itself a small model
        starts with "The" or "This", and neither choice reaches the top 20 tokens.
        """
        payload = await self._complete(
            {
                "model": self.model,
                "messages": [*messages, {"role": "assistant", "content": ANSWER_PREFIX}],
                "continue_final_message": True,
                "add_generation_prompt": False,
                "max_tokens": 1,
                "temperature": 0,
                "logprobs": True,
                "top_logprobs": 20,
            }
        )
        try:
            first = payload["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            return [(str(t["token"]), float(t["logprob"])) for t in first]
        except (KeyError, IndexError, TypeError) as exc:
            raise DecisionLlmError("decision LLM answer has no log-probabilities") from exc
