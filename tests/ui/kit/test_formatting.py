"""The Qt-free number formatting: cost, duration, usage and a message's meta line."""

from __future__ import annotations

import math

from chatdesk.ui.kit.formatting import (
    compact_count,
    format_age,
    format_cost,
    format_duration,
    format_meta,
    format_token_split,
    format_usage,
)


def test_durations_read_well() -> None:
    assert [format_duration(s) for s in (0.0004, 0.012, 0.9996, 1.42, 12.3, 125.0, None)] == [
        "<1 ms",
        "12 ms",
        "1.0 s",
        "1.4 s",
        "12 s",
        "2 min 5 s",
        "",
    ]


def test_unknown_and_whole_minute_durations() -> None:
    assert format_duration(-1.0) == ""
    assert format_duration(math.nan) == ""
    assert format_duration(120.0) == "2 min"
    assert format_duration(9.96) == "10 s"


def test_costs_keep_fractions_of_a_cent() -> None:
    assert [format_cost(c) for c in (0, 0.00001, 0.0012, 0.5, 1, 1234.5)] == [
        "$0",
        "<$0.0001",
        "$0.0012",
        "$0.5000",
        "$1.00",
        "$1,234.50",
    ]


def test_footer_formatting() -> None:
    assert format_meta("m", 5, None, None) == "m · 5 tokens"
    assert format_meta("m", None, None, 0.00001) == "m · <$0.0001"
    assert format_meta(None, 1000, 1000, 12.5) == "2,000 tokens · $12.50"
    assert format_meta(None, None, None, None) == ""


def test_usage_and_token_split() -> None:
    assert format_usage(1234, None) == "1,234 tokens"
    assert format_usage(1234, 0.0012) == "1,234 tokens · $0.0012"
    assert format_token_split(None, None) == ""
    assert format_token_split(1200, None) == "1,200 prompt + 0 completion tokens"


def test_ages_read_as_words() -> None:
    assert [format_age(s) for s in (5, 89, 90, 3599, 3600, 86399, 86400 * 3)] == [
        "just now",
        "just now",
        "1 min ago",
        "59 min ago",
        "1 h ago",
        "23 h ago",
        "3 days ago",
    ]


def test_counts_compact() -> None:
    assert [compact_count(n) for n in (999, 8192, 128_000, 1_000_000, 1_500_000)] == [
        "999",
        "8k",
        "128k",
        "1M",
        "1.5M",
    ]
