"""API keys in the OS keyring (service "chatdesk"); the environment wins.

On a headless Linux box with no Secret Service, keyring's fail backend raises on every call:
``SecretStore`` detects that, says so plainly in ``problem`` and works from the environment.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from chatdesk.errors import SecretStoreError

if TYPE_CHECKING:
    import keyring.backend

# keyring is imported when first needed: its backend discovery is slow, and a key from the
# environment never needs it.

log = logging.getLogger(__name__)

SERVICE = "chatdesk"

#: Well-known secrets and the environment variable that overrides each.
ENV_NAMES: Mapping[str, str] = {
    "openrouter": "OPENROUTER_API_KEY",
    "deepgram": "DEEPGRAM_API_KEY",
}

#: Why a named keyring entry cannot be read when there is no keyring (see ``keyring_value``).
NO_KEYRING_REASON = (
    "no system keyring is available (use ${env:NAME} instead, or install and unlock GNOME "
    "Keyring or KWallet)"
)

NO_KEYRING_MESSAGE = (
    "No system keyring is available (on Linux, install and unlock GNOME Keyring or KWallet), "
    "so chatdesk cannot store API keys. Set them in the environment instead, "
    "e.g. OPENROUTER_API_KEY."
)


class SecretStore:
    """Reads and writes secrets; never logs their values."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        backend: keyring.backend.KeyringBackend | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._backend = backend
        self._cache: dict[str, str | None] = {}
        self._read_problem: str | None = None
        # Values read by keyring_value; replaced, never mutated, so the log filter can read
        # it from any thread while a worker thread adds to it.
        self._keyring_values: frozenset[str] = frozenset()
        self._keyring_lock = threading.Lock()  # one keyring_value read at a time

    @property
    def problem(self) -> str | None:
        """Why keys cannot be stored or read (no keyring, a failed read); None when all is well.

        Asking may load the keyring backend (slow on some desktops): done lazily, never at start
        when the environment already holds the key.
        """
        if self._read_problem is not None:
            return self._read_problem
        return None if self.keyring_available() else NO_KEYRING_MESSAGE

    def _keyring(self) -> keyring.backend.KeyringBackend:
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def keyring_available(self) -> bool:
        """False when only keyring's fail backend is there (headless Linux)."""
        from keyring.backends import fail

        backend = self._keyring()
        if isinstance(backend, fail.Keyring):
            return False
        chained = getattr(backend, "backends", None)
        return not (chained is not None and not chained)

    def env_name(self, name: str) -> str:
        """The environment variable for a secret (OPENROUTER_API_KEY, or NAME upper-cased)."""
        return ENV_NAMES.get(name, name.upper())

    def source(self, name: str) -> str | None:
        """Where the value of ``name`` comes from: "environment", "keyring" or None."""
        if self._environ.get(self.env_name(name)):
            return "environment"
        return "keyring" if self._from_keyring(name) else None

    def get(self, name: str) -> str | None:
        """The secret from the environment, else the keyring; None when absent."""
        value = self._environ.get(self.env_name(name), "").strip()
        if value:
            return value
        return self._from_keyring(name)

    def set(self, name: str, value: str) -> None:
        """Store a secret in the keyring; raises ``SecretStoreError`` with a plain message."""
        value = value.strip()
        if not value:
            self.delete(name)
            return
        if not self.keyring_available():
            raise SecretStoreError(NO_KEYRING_MESSAGE)
        import keyring.errors

        try:
            self._keyring().set_password(SERVICE, name, value)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(
                f"The system keyring refused to store the key: {exc}", detail=repr(exc)
            ) from exc
        self._cache[name] = value

    def set_for_session(self, name: str, value: str) -> None:
        """Use a secret until the app quits without storing it (when there is no keyring)."""
        self._cache[name] = value.strip() or None

    def delete(self, name: str) -> None:
        """Remove a secret from the keyring (absent is fine)."""
        self._cache[name] = None
        if not self.keyring_available():
            return
        import keyring.errors

        try:
            self._keyring().delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(
                f"The system keyring refused to delete the key: {exc}", detail=repr(exc)
            ) from exc

    def keyring_value(self, name: str) -> str | None:
        """The keyring entry ``name`` (service "chatdesk"), read afresh; None when absent.

        Any thread may call it (one read at a time); a value read is kept for
        :meth:`known_values`, so it is redacted from the logs. Raises ``SecretStoreError``
        (message in lower case, to follow "... cannot be resolved: ") when there is no keyring
        or it refuses.
        """
        with self._keyring_lock:
            if not self.keyring_available():
                raise SecretStoreError(NO_KEYRING_REASON)
            import keyring.errors

            try:
                value = self._keyring().get_password(SERVICE, name)
            except keyring.errors.KeyringError as exc:
                raise SecretStoreError(f"the keyring refused ({exc})", detail=repr(exc)) from None
            if value:
                self._keyring_values = self._keyring_values | {value}
        return value

    def note_secret(self, value: str) -> None:
        """A secret that is not an entry of its own (an OAuth token inside one): redacted
        from the logs from now on."""
        if value:
            with self._keyring_lock:
                self._keyring_values = self._keyring_values | {value}

    def known_values(self) -> list[str]:
        """Every secret value currently known, for the log redaction filter."""
        values = [self._environ.get(env, "").strip() for env in ENV_NAMES.values()]
        values += [v for v in self._cache.values() if v]
        values += self._keyring_values
        return [v for v in values if v]

    def _from_keyring(self, name: str) -> str | None:
        if name in self._cache:
            return self._cache[name]
        if not self.keyring_available():
            return None
        import keyring.errors

        try:
            value = self._keyring().get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            self._read_problem = f"The system keyring could not be read: {exc}"
            log.warning("keyring read failed for %s: %s", name, type(exc).__name__)
            return None
        self._cache[name] = value
        return value
