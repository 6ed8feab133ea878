"""A stand-in upstream that streams as many bytes as asked, as fast as the reader takes them.

Used where the radio emulator's shaping is measured: an LLM cannot saturate a radio link, this can.
``POST /v1/chat/completions`` with header ``X-Bulk-Bytes: N`` (default: endless) answers with N
bytes of SSE-like text in chunks of ``X-Bulk-Chunk-Bytes`` (default 4096).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import FastAPI, Header
from fastapi.responses import StreamingResponse


def create_app() -> FastAPI:
    app = FastAPI(title="bulk source")

    @app.post("/v1/chat/completions")
    async def bulk(
        x_bulk_bytes: int | None = Header(default=None, ge=0),
        x_bulk_chunk_bytes: int = Header(default=4096, ge=1, le=1 << 20),
    ) -> StreamingResponse:
        chunk = (b"data: " + b"x" * max(0, x_bulk_chunk_bytes - 8) + b"\n\n")[:x_bulk_chunk_bytes]

        async def body() -> AsyncIterator[bytes]:
            left = x_bulk_bytes
            while left is None or left > 0:
                piece = chunk if left is None or left >= len(chunk) else chunk[:left]
                if left is not None:
                    left -= len(piece)
                yield piece
                # Yield to the event loop: after a client disconnects, sends return at once and an
                # endless body would otherwise spin forever without noticing.
                await asyncio.sleep(0)

        return StreamingResponse(body(), media_type="text/event-stream")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
