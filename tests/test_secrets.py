"""Secrets: environment first, then the keyring; a plain message when there is no keyring."""

from __future__ import annotations

import pytest
from keyring.backends import fail
from keyring.errors import KeyringLocked

from chatdesk.errors import SecretStoreError
from chatdesk.secrets import SERVICE, SecretStore
from fakes.keyring import MemoryKeyring


def test_keyring_roundtrip_under_service_chatdesk() -> None:
    backend = MemoryKeyring()
    secrets = SecretStore(environ={}, backend=backend)
    assert secrets.problem is None
    assert secrets.get("openrouter") is None
    secrets.set("openrouter", "  sk-or-v1-abc  ")
    assert backend.store[(SERVICE, "openrouter")] == "sk-or-v1-abc"
    assert SecretStore(environ={}, backend=backend).get("openrouter") == "sk-or-v1-abc"
    assert secrets.source("openrouter") == "keyring"
    secrets.delete("openrouter")
    assert secrets.get("openrouter") is None


def test_environment_wins_over_keyring() -> None:
    backend = MemoryKeyring()
    backend.store[(SERVICE, "openrouter")] = "from-keyring"
    secrets = SecretStore(environ={"OPENROUTER_API_KEY": "from-env"}, backend=backend)
    assert secrets.get("openrouter") == "from-env"
    assert secrets.source("openrouter") == "environment"
    assert "from-env" in secrets.known_values()


def test_no_keyring_is_reported_plainly_and_env_still_works() -> None:
    secrets = SecretStore(environ={"OPENROUTER_API_KEY": "env-key"}, backend=fail.Keyring())
    assert not secrets.keyring_available()
    assert secrets.problem is not None and "OPENROUTER_API_KEY" in secrets.problem
    assert secrets.get("openrouter") == "env-key"
    assert secrets.get("deepgram") is None
    with pytest.raises(SecretStoreError) as err:
        secrets.set("openrouter", "new-key")
    assert "keyring" in err.value.user_message
    assert "new-key" not in err.value.user_message


def test_blank_value_deletes() -> None:
    backend = MemoryKeyring()
    secrets = SecretStore(environ={}, backend=backend)
    secrets.set("deepgram", "dg-key")
    secrets.set("deepgram", "   ")
    assert (SERVICE, "deepgram") not in backend.store


def test_keyring_value_reads_afresh_and_is_redacted() -> None:
    backend = MemoryKeyring()
    secrets = SecretStore(environ={}, backend=backend)
    assert secrets.keyring_value("github") is None
    backend.store[(SERVICE, "github")] = "ghp_first"
    assert secrets.keyring_value("github") == "ghp_first"  # absence is not cached
    backend.store[(SERVICE, "github")] = "ghp_second"
    assert secrets.keyring_value("github") == "ghp_second"
    assert {"ghp_first", "ghp_second"} <= set(secrets.known_values())


def test_keyring_value_says_why_it_cannot_read() -> None:
    with pytest.raises(SecretStoreError, match="no system keyring is available"):
        SecretStore(environ={}, backend=fail.Keyring()).keyring_value("github")

    class Refusing(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("locked")

    with pytest.raises(SecretStoreError, match=r"^the keyring refused \(locked\)$"):
        SecretStore(environ={}, backend=Refusing()).keyring_value("github")
