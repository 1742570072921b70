"""DictationSettings: Deepgram's documented ranges, messages that name the field and why."""

from __future__ import annotations

import pytest

from chatdesk.errors import ConfigError
from chatdesk.settings import Settings
from chatdesk.speech.settings import (
    ENDPOINTING_MAX_MS,
    ENDPOINTING_MIN_MS,
    UTTERANCE_END_MAX_MS,
    UTTERANCE_END_MIN_MS,
    DictationSettings,
)


def test_defaults_are_valid_and_give_the_documented_query() -> None:
    settings = DictationSettings()
    assert settings.problems() == []
    assert settings.auto_submit_delay_s == 1.2
    assert settings.mode == "auto_submit"
    assert settings.query() == {
        "model": "nova-3",
        "language": "en-US",
        "interim_results": "true",
        "vad_events": "true",
        "smart_format": "true",
        "endpointing": 300,
        "utterance_end_ms": 1000,
    }


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"utterance_end_ms": 500}, "utterance_end_ms is 500, but must be 1000-5000 ms"),
        ({"utterance_end_ms": 9000}, "utterance_end_ms is 9000"),
        ({"utterance_end_ms": 1.5}, "utterance_end_ms must be a whole number"),
        (
            {"interim_results": False},
            "utterance_end_ms needs interim_results turned on",
        ),
        ({"endpointing": 5}, "endpointing is 5, but must be 10-10000 ms"),
        ({"endpointing": -1}, "endpointing is -1"),
        ({"endpointing": True}, "endpointing must be a whole number"),
        ({"auto_submit_delay_s": -0.5}, "auto_submit_delay_s is -0.5, but must be 0-30 seconds"),
        ({"auto_submit_delay_s": float("nan")}, "auto_submit_delay_s must be a number"),
        ({"auto_submit_delay_s": "soon"}, "auto_submit_delay_s must be a number"),
        ({"mode": "yolo"}, "mode 'yolo' must be one of auto_submit, review"),
        ({"model": ""}, "model '' is not a Deepgram model name"),
        ({"model": "nova 3; drop"}, "model 'nova 3; drop' is not a Deepgram model name"),
        ({"language": "english please"}, "language 'english please' is not a language tag"),
        ({"vad_events": "yes"}, "vad_events must be true or false"),
        ({"device": 3}, "device must be text"),
    ],
)
def test_each_invalid_value_is_named_with_the_reason(
    changes: dict[str, object], expected: str
) -> None:
    problems = DictationSettings().replace(**changes).problems()
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_zero_turns_endpointing_and_utterance_end_off() -> None:
    settings = DictationSettings(endpointing=0, utterance_end_ms=0, interim_results=False)
    assert settings.problems() == []
    query = settings.query()
    assert query["endpointing"] == "false"
    assert "utterance_end_ms" not in query
    assert query["interim_results"] == "false"


def test_other_models_and_languages_are_accepted() -> None:
    for model in ("nova-2", "nova-2-meeting", "enhanced", "whisper-large", "nova-3-medical"):
        assert DictationSettings(model=model).problems() == []
    for language in ("en", "en-GB", "de", "pt-BR", "multi", "zh-Hant"):
        assert DictationSettings(language=language).problems() == []


def test_check_raises_one_config_error_listing_every_problem() -> None:
    settings = DictationSettings(utterance_end_ms=200, mode="later")  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as caught:
        settings.check()
    message = caught.value.user_message
    assert message.startswith("Dictation cannot start: ")
    assert "utterance_end_ms is 200" in message and "mode 'later'" in message
    assert "Settings → Dictation" in message


def test_from_settings_copies_the_checked_values() -> None:
    values = {
        "dictation_model": "nova-2",
        "dictation_utterance_end_ms": "1500",
        "dictation_endpointing": " 450 ",
        "dictation_interim_results": True,
        "dictation_vad_events": False,
        "dictation_auto_submit_delay_s": 2,
        "dictation_mode": "review",
        "dictation_push_to_talk": True,
    }
    settings = DictationSettings.from_settings(Settings.from_mapping(values))
    assert settings == DictationSettings(
        model="nova-2",
        utterance_end_ms=1500,
        endpointing=450,
        vad_events=False,
        auto_submit_delay_s=2.0,
        mode="review",
        push_to_talk=True,
    )
    assert settings.problems() == []
    with pytest.raises(ValueError, match="must be a number"):
        Settings.from_mapping({"dictation_utterance_end_ms": "soon"})


def test_defaults_and_limits_are_the_settings_schemas() -> None:
    assert DictationSettings.from_settings(Settings()) == DictationSettings()
    settings = DictationSettings(language="de", mode="review", device="USB Mic")
    flat = Settings(dictation_language="de", dictation_mode="review", dictation_device="USB Mic")
    assert DictationSettings.from_settings(flat) == settings
    assert (UTTERANCE_END_MIN_MS, UTTERANCE_END_MAX_MS) == (1000, 5000)
    assert (ENDPOINTING_MIN_MS, ENDPOINTING_MAX_MS) == (10, 10_000)


def test_from_the_apps_flat_settings() -> None:
    flat = {"theme": "dark", "dictation_model": "nova-2", "dictation_push_to_talk": True}
    assert DictationSettings.from_settings(Settings.from_mapping(flat)) == DictationSettings(
        model="nova-2", push_to_talk=True
    )
