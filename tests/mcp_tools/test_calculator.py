"""The calculator evaluates arithmetic and nothing else."""

from __future__ import annotations

import math

import pytest

from chatdesk.mcp.servers.calculator import CalculationError, evaluate
from chatdesk.mcp.servers.housekeeping import current_time


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("2 + 3 * 4", 14),
        ("(2 + 3) * 4", 20),
        ("-7 // 2", -4),
        ("7 % 3", 1),
        ("2 ** 10", 1024),
        ("sqrt(16) + cos(0)", 5.0),
        ("log(e)", 1.0),
        ("-+1", -1),
        ("1 / 4", 0.25),
    ],
)
def test_arithmetic(expression: str, value: float) -> None:
    assert evaluate(expression) == value


def test_pi() -> None:
    assert evaluate("sin(pi / 2)") == pytest.approx(1.0) and evaluate("pi") == math.pi


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os')", "not allowed"),
        ("(1).real", "Attribute is not allowed"),
        ("().__class__", "not allowed"),
        ("open", "unknown name"),
        ("9 ** 99999999", "exponents are limited"),
        ("10 ** 10 ** 10", "exponents are limited"),
        ("7 ** 5000", "more than 1000 digits"),
        ("2.0 ** 5000", "too large"),
        ("1 / 0", "division by zero"),
        ("[1, 2]", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("1 +", "not a valid expression"),
        ("1" * 2000, "limited to 1000 characters"),
    ],
)
def test_rejects(expression: str, message: str) -> None:
    with pytest.raises(CalculationError, match=message):
        evaluate(expression)


def test_current_time() -> None:
    assert "+00:00" in current_time("UTC")
    with pytest.raises(ValueError, match="unknown time zone"):
        current_time("Mars/Base")
