"""Signing in to remote MCP servers with OAuth (the MCP authorization flow).

The mcp SDK's ``OAuthClientProvider`` does the protocol: protected-resource and
authorization-server metadata discovery, dynamic client registration, PKCE, the code exchange
and refreshes. chatdesk adds:

- :class:`KeyringTokenStore`: the tokens, when they expire, and the registration, per server,
  in the OS keyring (never in a file, a log or the database); for this run only when there is
  no keyring;
- :class:`LoopbackReceiver`: the redirect lands on ``http://127.0.0.1:<port>/callback``, a
  one-shot server that takes the code and tells the browser it can be closed;
- :class:`SignInFlow`: the browser is opened only when the user asked to sign in (the servers
  dialog's "Sign in"); a server that wants a sign-in otherwise fails with
  :class:`SignInNeeded` ("Sign in" / "Sign in again" on its row), never by surprise;
- tokens refreshed a minute before they expire, also after a restart.

No Qt here: the browser is opened through the ``open_browser`` callable the app gives.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

from chatdesk.errors import SecretStoreError
from chatdesk.mcp.failures import StartFailure
from chatdesk.secrets import SecretStore

__all__ = [
    "KeyringTokenStore",
    "LoopbackReceiver",
    "SignInFailed",
    "SignInFlow",
    "SignInNeeded",
    "SignIns",
    "secret_name",
]

log = logging.getLogger(__name__)

#: Tokens are refreshed this long before they expire.
REFRESH_MARGIN_S = 60.0
#: How long a sign-in waits for the browser to come back.
SIGN_IN_TIMEOUT_S = 300.0
CLIENT_NAME = "chatdesk"


class SignInNeeded(StartFailure):
    """The server wants the user to sign in (or to sign in again)."""


class SignInFailed(StartFailure):
    """A sign-in the user started did not complete."""


def secret_name(server_id: str) -> str:
    """The keyring entry (service "chatdesk") that holds a server's sign-in."""
    return f"mcp-oauth:{server_id}"


@dataclass
class _Saved:
    url: str = ""
    tokens: dict[str, Any] | None = None
    expires_at: float | None = None
    client: dict[str, Any] | None = None
    port: int | None = None


class KeyringTokenStore:
    """The SDK's ``TokenStorage`` for one server, kept in the keyring as one JSON entry.

    A sign-in belongs to the server's URL: when the entry is edited to point elsewhere, the old
    tokens are not sent there."""

    def __init__(self, server_id: str, url: str, secrets: SecretStore) -> None:
        self.server_id = server_id
        self.url = url
        self._secrets = secrets
        self._saved: _Saved | None = None
        self.session_only = False  # no keyring: kept for this run

    def _load(self) -> _Saved:
        if self._saved is None:
            raw: str | None = None
            try:
                raw = self._secrets.keyring_value(secret_name(self.server_id))
            except SecretStoreError:
                raw = self._secrets.get(secret_name(self.server_id))  # this run's, if any
            saved = _Saved()
            if raw:
                with contextlib.suppress(ValueError, TypeError):
                    data = json.loads(raw)
                    saved = _Saved(**{k: data.get(k) for k in _Saved.__dataclass_fields__})
            if saved.url != self.url:
                saved = _Saved(url=self.url)
            self._saved = saved
            self._remember(saved)
        return self._saved

    def _remember(self, saved: _Saved) -> None:
        """The token values are secrets: redacted from the logs."""
        for value in (
            (saved.tokens or {}).get("access_token"),
            (saved.tokens or {}).get("refresh_token"),
            (saved.client or {}).get("client_secret"),
        ):
            if value:
                self._secrets.note_secret(str(value))

    async def _save(self) -> None:
        saved = self._load()
        self._remember(saved)
        text = json.dumps(saved.__dict__)
        name = secret_name(self.server_id)
        try:
            await asyncio.to_thread(self._secrets.set, name, text)
        except SecretStoreError as exc:
            log.info("MCP server %r: sign-in kept for this run only (%s)", self.server_id, exc)
            self._secrets.set_for_session(name, text)
            self.session_only = True

    @property
    def signed_in(self) -> bool:
        return bool(self._load().tokens)

    @property
    def expires_at(self) -> float | None:
        return self._load().expires_at

    @property
    def port(self) -> int | None:
        return self._load().port

    async def set_port(self, port: int) -> None:
        """A new redirect port: the old registration named another redirect URI."""
        saved = self._load()
        if saved.port != port:
            saved.port, saved.client = port, None
            await self._save()

    async def get_tokens(self) -> OAuthToken | None:
        tokens = self._load().tokens
        return OAuthToken.model_validate(tokens) if tokens else None

    async def set_tokens(self, tokens: OAuthToken) -> None:
        saved = self._load()
        saved.tokens = tokens.model_dump(mode="json", exclude_none=True)
        saved.expires_at = time.time() + tokens.expires_in if tokens.expires_in else None
        await self._save()

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        client = self._load().client
        return OAuthClientInformationFull.model_validate(client) if client else None

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self._load().client = client_info.model_dump(mode="json", exclude_none=True)
        await self._save()

    async def sign_out(self) -> None:
        """Forget the tokens and the registration."""
        self._saved = _Saved(url=self.url)
        with contextlib.suppress(SecretStoreError):
            await asyncio.to_thread(self._secrets.delete, secret_name(self.server_id))


_PAGE = """<!doctype html><meta charset="utf-8"><title>chatdesk</title>
<body style="font: 16px system-ui, sans-serif; margin: 4em auto; max-width: 32em">
<h2>{title}</h2><p>{text}</p></body>"""


@dataclass
class LoopbackReceiver:
    """A one-shot HTTP server on 127.0.0.1 that receives the authorization redirect."""

    port: int = 0
    _server: asyncio.Server | None = None
    _result: asyncio.Future[AuthorizationCodeResult] | None = None
    _done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"

    async def start(self) -> None:
        """Listen (on the port asked for if it is free, else on any)."""
        self._result = asyncio.get_running_loop().create_future()
        try:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        except OSError:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def wait(self, timeout_s: float = SIGN_IN_TIMEOUT_S) -> AuthorizationCodeResult:
        """The code the browser brought back; raises :class:`SignInFailed`."""
        assert self._result is not None, "start() first"
        try:
            async with asyncio.timeout(timeout_s):
                return await self._result
        except TimeoutError:
            raise SignInFailed(
                f"the sign-in did not finish within {timeout_s / 60:g} minutes"
            ) from None
        finally:  # a second sign-in in the same connection waits for its own redirect
            self._result = asyncio.get_running_loop().create_future()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await reader.readline()).decode("latin-1")
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            parts = line.split()
            target = urlparse(parts[1] if len(parts) > 1 else "/")
            if target.path != "/callback":
                await _respond(writer, 404, "Not here", "This address only takes a sign-in.")
                return
            query = {k: v[0] for k, v in parse_qs(target.query).items()}
            if "error" in query:
                why = query.get("error_description") or query["error"]
                self._settle(SignInFailed(f"the server refused the sign-in: {why}"))
                await _respond(writer, 200, "Sign-in refused", html.escape(why))
            elif "code" in query:
                result = AuthorizationCodeResult(
                    code=query["code"], state=query.get("state"), iss=query.get("iss")
                )
                self._settle(result)
                await _respond(
                    writer, 200, "Signed in", "You can close this tab and go back to chatdesk."
                )
            else:
                await _respond(writer, 400, "No code", "The redirect carried no code.")
        except (OSError, UnicodeError) as exc:
            log.info("sign-in callback failed: %r", exc)
        finally:
            writer.close()

    def _settle(self, outcome: AuthorizationCodeResult | Exception) -> None:
        if self._result is None or self._result.done():
            return
        if isinstance(outcome, Exception):
            self._result.set_exception(outcome)
        else:
            self._result.set_result(outcome)


async def _respond(writer: asyncio.StreamWriter, status: int, title: str, text: str) -> None:
    body = _PAGE.format(title=html.escape(title), text=text).encode()
    head = (
        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    with contextlib.suppress(OSError):
        await writer.drain()


def refresh_margin(lifetime: int | None) -> float:
    """How long before expiry a token is refreshed: a minute, or a tenth of a short life."""
    if not lifetime:
        return REFRESH_MARGIN_S
    return min(REFRESH_MARGIN_S, lifetime / 10)


class _Provider(OAuthClientProvider):
    """The SDK's provider, knowing when stored tokens expire (so they are refreshed a minute
    before, after a restart too)."""

    def __init__(self, store: KeyringTokenStore, **kwargs: Any) -> None:
        super().__init__(storage=store, **kwargs)
        self._store = store

    async def _initialize(self) -> None:
        await super()._initialize()
        expires_at = self._store.expires_at
        tokens = self.context.current_tokens
        lifetime = tokens.expires_in if tokens is not None else None
        self.context.token_expiry_time = (
            expires_at - refresh_margin(lifetime) if expires_at is not None else None
        )

    def _margin(self) -> None:
        tokens = self.context.current_tokens
        if self.context.token_expiry_time is not None and tokens is not None:
            self.context.token_expiry_time -= refresh_margin(tokens.expires_in)

    async def _handle_token_response(self, response: Any) -> None:
        await super()._handle_token_response(response)
        self._margin()

    async def _handle_refresh_response(self, response: Any) -> bool:
        ok = await super()._handle_refresh_response(response)
        if ok:
            self._margin()
        else:
            log.info("MCP server %r: the token refresh was refused", self._store.server_id)
        return ok


OpenBrowser = Callable[[str], Awaitable[None]]


class SignInFlow:
    """One server's ``httpx`` auth: signs in only when :meth:`interactive` was asked for."""

    def __init__(
        self, store: KeyringTokenStore, open_browser: OpenBrowser | None, *, interactive: bool
    ) -> None:
        self.store = store
        self._open_browser = open_browser
        self._interactive = interactive and open_browser is not None
        self._receiver: LoopbackReceiver | None = None
        self.opened_browser = False
        #: The server asked for a sign-in this flow could not do (not asked by the user).
        self.needed = False
        self.on_needed: Callable[[], None] | None = None

    async def provider(self) -> OAuthClientProvider:
        """The auth to give the server's HTTP client (a loopback port reserved first)."""
        receiver = self._receiver = LoopbackReceiver(self.store.port or 0)
        if self._interactive:
            await receiver.start()
            await self.store.set_port(receiver.port)
        else:
            receiver.port = self.store.port or 0
        metadata = OAuthClientMetadata(
            client_name=CLIENT_NAME,
            redirect_uris=[receiver.redirect_uri],  # type: ignore[list-item]
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        )
        return _Provider(
            self.store,
            server_url=self.store.url,
            client_metadata=metadata,
            redirect_handler=self._redirect,
            callback_handler=self._callback,
        )

    def stop_asking(self) -> None:
        """Signed in: a later request for a sign-in is not the user's (no browser)."""
        self._interactive = False

    async def aclose(self) -> None:
        if self._receiver is not None:
            await self._receiver.close()

    async def _redirect(self, url: str) -> None:
        if not self._interactive or self._open_browser is None:
            self.needed = True
            if self.on_needed is not None:
                self.on_needed()
            log.info("MCP server %r: signed-in %s", self.store.server_id, self.store.signed_in)
            what = "again" if self.store.signed_in else "in"
            raise SignInNeeded(f"sign {what} to use this server")
        self.opened_browser = True
        await self._open_browser(url)

    async def _callback(self) -> AuthorizationCodeResult:
        assert self._receiver is not None
        return await self._receiver.wait()


class SignIns:
    """Every remote server's sign-in: where tokens are kept, and how a browser is opened (set
    by the app; None: sign-ins cannot start, servers that want one say so)."""

    def __init__(self, secrets: SecretStore, open_browser: OpenBrowser | None = None) -> None:
        self._secrets = secrets
        self.open_browser = open_browser
        self._stores: dict[str, KeyringTokenStore] = {}

    def store(self, server_id: str, url: str) -> KeyringTokenStore:
        store = self._stores.get(server_id)
        if store is None or store.url != url:
            store = self._stores[server_id] = KeyringTokenStore(server_id, url, self._secrets)
        return store

    def flow(self, server_id: str, url: str, *, interactive: bool) -> SignInFlow:
        return SignInFlow(self.store(server_id, url), self.open_browser, interactive=interactive)

    async def sign_out(self, server_id: str, url: str) -> None:
        await self.store(server_id, url).sign_out()
