"""Settings: precedence, atomic save, and bad files moved aside without a crash."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from chatdesk import paths
from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.settings import OPENROUTER_BASE_URL, Settings, SettingsStore, describe
from chatdesk.speech.settings import DictationSettings


def _store(data_dir: Path, env: dict[str, str] | None = None) -> SettingsStore:
    return SettingsStore(paths.settings_file(data_dir), environ=env or {})


def test_defaults_when_no_file(data_dir: Path) -> None:
    store = _store(data_dir)
    settings = store.load()
    assert settings == Settings()
    assert settings.openrouter_base_url == OPENROUTER_BASE_URL
    assert store.problems == []
    assert not paths.settings_file(data_dir).exists()


def test_data_dir_comes_from_environment(data_dir: Path) -> None:
    assert paths.data_dir() == data_dir


@pytest.mark.parametrize("xdg", ["", "/srv/xdg-data"])
def test_without_the_variable_the_data_dir_is_the_platforms(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, xdg: str
) -> None:
    import platformdirs

    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", xdg)
    expected = Path(xdg or tmp_path / ".local" / "share") / "chatdesk"
    assert paths.data_dir() == expected
    assert paths.data_dir() == Path(platformdirs.user_data_dir("chatdesk", appauthor=False))


def test_a_relative_xdg_data_home_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")  # the XDG spec: ignore it
    assert paths.data_dir() == tmp_path / ".local" / "share" / "chatdesk"


def test_precedence_env_over_file_over_defaults(data_dir: Path) -> None:
    paths.settings_file(data_dir).write_text(
        json.dumps({"default_model": "file/model", "system_prompt": "from file", "theme": "dark"})
    )
    env = {
        "OPENROUTER_DEFAULT_MODEL": "env/model",
        "OPENROUTER_BASE_URL": "http://localhost:11434/v1/",
        "CHATDESK_LOG_LEVEL": "debug",
    }
    store = _store(data_dir, env)
    settings = store.load()
    assert settings.default_model == "env/model"
    assert settings.system_prompt == "from file"
    assert settings.theme == "dark"
    assert settings.openrouter_base_url == "http://localhost:11434/v1"
    assert settings.log_level == "DEBUG"
    assert store.overridden == {
        "default_model": "OPENROUTER_DEFAULT_MODEL",
        "openrouter_base_url": "OPENROUTER_BASE_URL",
        "log_level": "CHATDESK_LOG_LEVEL",
    }
    assert store.problems == []


def test_system_prompt_from_environment(data_dir: Path) -> None:
    settings = _store(data_dir, {"OPENROUTER_SYSTEM_PROMPT": "Be brief."}).load()
    assert settings.system_prompt == "Be brief."


def test_save_is_atomic_and_keeps_env_values_out_of_the_file(data_dir: Path) -> None:
    path = paths.settings_file(data_dir)
    path.write_text(json.dumps({"default_model": "file/model"}))
    store = _store(data_dir, {"OPENROUTER_DEFAULT_MODEL": "env/model"})
    settings = store.load()
    settings.system_prompt = "Saved prompt"
    store.save(settings)
    saved = json.loads(path.read_text())
    assert saved["default_model"] == "file/model"
    assert saved["system_prompt"] == "Saved prompt"
    assert saved["schema_version"] == 1
    assert [p.name for p in data_dir.iterdir()] == ["settings.json"]  # no temp file left
    assert _store(data_dir).load().system_prompt == "Saved prompt"


def test_corrupt_file_is_moved_aside_and_defaults_used(data_dir: Path) -> None:
    path = paths.settings_file(data_dir)
    path.write_text('{"theme": "dark",,,')
    store = _store(data_dir)
    settings = store.load()
    assert settings == Settings()
    assert len(store.problems) == 1
    assert "not valid JSON" in store.problems[0]
    backups = list(data_dir.glob("settings.json.bad-*"))
    assert len(backups) == 1
    assert backups[0].read_text() == '{"theme": "dark",,,'
    assert backups[0].name in store.problems[0]
    assert not path.exists()


def test_invalid_values_reset_valid_ones_kept(data_dir: Path) -> None:
    path = paths.settings_file(data_dir)
    path.write_text(json.dumps({"theme": "purple", "system_prompt": "keep me", "log_level": 7}))
    store = _store(data_dir)
    settings = store.load()
    assert settings.theme == "system"
    assert settings.system_prompt == "keep me"
    assert settings.log_level == "INFO"
    assert "theme" in store.problems[0] and "log_level" in store.problems[0]
    assert len(list(data_dir.glob("settings.json.bad-*"))) == 1


def test_not_an_object_is_moved_aside(data_dir: Path) -> None:
    paths.settings_file(data_dir).write_text("[1, 2, 3]")
    store = _store(data_dir)
    assert store.load() == Settings()
    assert "JSON object" in store.problems[0]


def test_api_key_in_file_is_ignored_and_scrubbed(data_dir: Path) -> None:
    path = paths.settings_file(data_dir)
    path.write_text(json.dumps({"openrouter_api_key": "sk-or-v1-secret", "theme": "light"}))
    store = _store(data_dir)
    settings = store.load()
    assert settings.theme == "light"
    assert "sk-or-v1-secret" not in path.read_text()
    assert "keyring" in " ".join(store.problems)
    assert "sk-or-v1-secret" not in " ".join(store.problems)
    assert "sk-or-v1-secret" not in json.dumps(settings.to_json_dict())
    (backup,) = data_dir.glob("settings.json.bad-*")
    assert "sk-or-v1-secret" not in backup.read_text()
    assert json.loads(backup.read_text()) == {"theme": "light"}
    assert backup.stat().st_mode & 0o077 == 0


def test_invalid_environment_value_is_reported_not_fatal(data_dir: Path) -> None:
    store = _store(data_dir, {"CHATDESK_LOG_LEVEL": "LOUD", "OPENROUTER_BASE_URL": "ftp://x"})
    settings = store.load()
    assert settings.log_level == "INFO"
    assert settings.openrouter_base_url == OPENROUTER_BASE_URL
    assert len(store.problems) == 2
    assert "CHATDESK_LOG_LEVEL" in store.problems[0] or "CHATDESK_LOG_LEVEL" in store.problems[1]


def test_every_field_has_a_description() -> None:
    missing = [f.name for f in dataclasses.fields(Settings) if not describe(f.name)]
    assert missing == []


def test_replace_validates() -> None:
    settings = Settings()
    assert settings.replace(theme="dark").theme == "dark"
    with pytest.raises(ValueError, match="one of"):
        settings.replace(theme="purple")
    with pytest.raises(ValueError, match="at least"):
        settings.replace(request_timeout_s=0)
    with pytest.raises(ValueError, match="true or false"):
        settings.replace(generate_titles="yes")
    assert settings.replace(openrouter_base_url=" http://x:1/v1/ ").openrouter_base_url == (
        "http://x:1/v1"
    )


@pytest.mark.parametrize(
    ("name", "floor", "too_small", "fine", "too_big"),
    [
        ("dictation_utterance_end_ms", 1000, (1, 500, 999, -1), (0, 1000, 5000), 5001),
        ("dictation_endpointing", 10, (1, 9, -5), (0, 10, 300, 10000), 10001),
    ],
)
def test_dictation_values_follow_the_dictation_rules(
    name: str, floor: int, too_small: tuple[int, ...], fine: tuple[int, ...], too_big: int
) -> None:
    settings = Settings()
    for value in too_small:
        with pytest.raises(ValueError, match=rf"^must be 0 \(off\) or at least {floor}$"):
            settings.replace(**{name: value})
    for value in fine:
        assert getattr(settings.replace(**{name: value}), name) == value
        saved = Settings.from_mapping(settings.replace(**{name: value}).to_json_dict())
        assert DictationSettings.from_settings(saved).problems() == []  # the mic accepts it too
    with pytest.raises(ValueError, match="at most"):
        settings.replace(**{name: too_big})


def test_a_dictation_value_the_mic_refuses_is_reset_on_load(data_dir: Path) -> None:
    paths.settings_file(data_dir).write_text(json.dumps({"dictation_utterance_end_ms": 500}))
    store = _store(data_dir)
    assert store.load().dictation_utterance_end_ms == Settings().dictation_utterance_end_ms
    assert "dictation_utterance_end_ms (must be 0 (off) or at least 1000)" in store.problems[0]


def test_attachment_variables_override_the_file(data_dir: Path) -> None:
    env = {
        "ATTACHMENTS_BACKEND": "gcs",
        "ATTACHMENTS_GCS_BUCKET": "b",
        "ATTACHMENTS_GCS_PREFIX": "/",  # the bucket's root ("" means unset)
        "ATTACHMENTS_MAX_SIZE_BYTES": "1048576",
        "ATTACHMENTS_RETENTION_DAYS": "7",
    }
    store = _store(data_dir, env)
    config = AttachmentsConfig.from_settings(store.load(), {})
    assert store.problems == []
    assert (config.backend, config.gcs_bucket) == ("gcs", "b")
    assert config.max_size_bytes == 1048576 and config.retention_days == 7
    assert config.normalized_prefix == ""


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ATTACHMENTS_MAX_SIZE_BYTES", "ten", "must be a number"),
        ("ATTACHMENTS_MAX_SIZE_BYTES", "0", "must be at least 1"),
        ("ATTACHMENTS_RETENTION_DAYS", "1.5", "must be a number"),
        ("ATTACHMENTS_SIGNED_URL_TTL_S", "700000", "must be at most 604800"),
        ("ATTACHMENTS_SIGNED_URL_TTL_S", "nan", "must be a number"),
    ],
)
def test_bad_attachment_variables_name_the_variable(
    data_dir: Path, name: str, value: str, message: str
) -> None:
    store = _store(data_dir, {name: value})
    assert store.load() == Settings()
    assert store.problems == [f"Ignored {name}={value!r}: {message}."]
