"""Resolving ``${env:NAME}`` and ``${keyring:NAME}`` references without blocking the loop.

Keyring entries live under the service ``chatdesk`` (the same as the app's API keys), so a
user stores one with ``keyring set chatdesk NAME``. A keyring read may block (D-Bus, an unlock
prompt), so servers with keyring references are resolved in a worker thread, with a limit.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from chatdesk.mcp.config import (
    MCPConfigError,
    Resolver,
    ServerConfig,
    references,
    resolve_server,
)

if TYPE_CHECKING:
    import keyring.backend

KEYRING_SERVICE = "chatdesk"


def make_resolver(
    environ: Mapping[str, str] | None = None,
    backend: Callable[[], keyring.backend.KeyringBackend] | None = None,
) -> Resolver:
    """A resolver for both schemes; ``backend`` returns the keyring to use (default: the OS's).

    Raises :class:`MCPConfigError` with a specific message when the keyring is unusable.
    """
    env = os.environ if environ is None else environ
    lock = threading.Lock()  # one keyring call at a time, whatever thread asks

    def get_backend() -> keyring.backend.KeyringBackend:
        if backend is not None:
            return backend()
        import keyring

        return keyring.get_keyring()

    def resolve(scheme: str, name: str) -> str | None:
        if scheme == "env":
            return env.get(name)
        if scheme != "keyring":
            return None
        import keyring.errors
        from keyring.backends import fail

        with lock:
            ring = get_backend()
            if isinstance(ring, fail.Keyring):
                raise MCPConfigError(
                    f"${{keyring:{name}}} cannot be resolved: no system keyring is available "
                    "(use ${env:NAME} instead, or install and unlock GNOME Keyring or KWallet)"
                )
            try:
                value = ring.get_password(KEYRING_SERVICE, name)
            except keyring.errors.KeyringError as exc:
                raise MCPConfigError(
                    f"${{keyring:{name}}} cannot be resolved: the keyring refused ({exc})"
                ) from None
        if value is None:
            raise MCPConfigError(
                f"${{keyring:{name}}} cannot be resolved: no keyring entry named {name!r} "
                f"(store it with: keyring set {KEYRING_SERVICE} {name})"
            )
        return value

    return resolve


async def resolve_server_async(
    server_id: str, server: ServerConfig, resolver: Resolver, *, timeout_s: float
) -> ServerConfig:
    """:func:`resolve_server`, in a worker thread when keyring references need reading."""
    if not any(scheme == "keyring" for scheme, _ in references(server)):
        return resolve_server(server_id, server, resolver)
    work = asyncio.to_thread(resolve_server, server_id, server, resolver)
    try:
        async with asyncio.timeout(timeout_s):
            return await work
    except TimeoutError:
        raise MCPConfigError(
            f"server {server_id!r}: the system keyring did not answer within {timeout_s:g} s "
            "(is it locked?)"
        ) from None
