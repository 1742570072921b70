"""Transport helpers of the runner: a read stream that says when the server side ended, and
an HTTP client that lives as long as its transport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2

__all__ = ["watched", "with_http_client"]


class WatchedRead:
    """A transport read stream that sets ``lost`` when the server side ends."""

    def __init__(self, inner: Any, lost: asyncio.Event) -> None:
        self._inner = inner
        self._lost = lost

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def receive(self) -> Any:
        try:
            return await self._inner.receive()
        except BaseException:
            self._lost.set()
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> WatchedRead:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self._inner.__anext__()
        except BaseException:
            self._lost.set()
            raise

    async def __aenter__(self) -> WatchedRead:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> bool | None:
        self._lost.set()
        result: bool | None = await self._inner.__aexit__(*exc)
        return result


@asynccontextmanager
async def watched(transport: Any, lost: asyncio.Event) -> AsyncIterator[Any]:
    async with transport as (read, write):
        yield WatchedRead(read, lost), write


@asynccontextmanager
async def with_http_client(http: httpx2.AsyncClient, transport: Any) -> AsyncIterator[Any]:
    async with http, transport as streams:
        yield streams
