"""Resolving ``${env:NAME}`` and ``${keyring:NAME}`` references without blocking the loop.

Keyring entries live under the service ``chatdesk`` (the same as the app's API keys), so a
user stores one with ``keyring set chatdesk NAME``. A keyring read may block (D-Bus, an unlock
prompt), so servers with keyring references are resolved in a worker thread, with a limit.
Keyring entries are read through :class:`SecretStore`, so their values are redacted from logs.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping

from chatdesk.errors import SecretStoreError
from chatdesk.mcp.config import (
    MCPConfigError,
    Resolver,
    ServerConfig,
    references,
    resolve_server,
)
from chatdesk.secrets import SERVICE as KEYRING_SERVICE
from chatdesk.secrets import SecretStore

__all__ = ["KEYRING_SERVICE", "make_resolver", "resolve_server_async"]


def make_resolver(
    environ: Mapping[str, str] | None = None, secrets: SecretStore | None = None
) -> Resolver:
    """A resolver for both schemes; keyring entries are read through ``secrets`` (default: a
    new :class:`SecretStore` on the OS keyring), which then redacts them from the logs.

    Raises :class:`MCPConfigError` with a specific message when an entry cannot be read.
    """
    env = os.environ if environ is None else environ
    store = SecretStore(env) if secrets is None else secrets

    def resolve(scheme: str, name: str) -> str | None:
        if scheme == "env":
            return env.get(name)
        if scheme != "keyring":
            return None
        try:
            value = store.keyring_value(name)
        except SecretStoreError as exc:
            raise MCPConfigError(f"${{keyring:{name}}} cannot be resolved: {exc}") from None
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
