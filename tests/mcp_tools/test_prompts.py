"""MCP prompts from real server processes: listed per server with their arguments, filled in,
and the failures named."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_helpers import builtin, config, started_aggregator, toy

from chatdesk.mcp.prompts import PromptArgument, PromptError, missing_arguments


async def test_prompts_are_listed_filled_in_and_fail_clearly(tmp_path: Path) -> None:
    cfg = config(calc=builtin("calculator"), toy=toy("t"))
    async with started_aggregator(cfg, tmp_path, ready=("calc", "toy")) as agg:
        prompts = agg.prompts()
        assert [(p.server_id, p.name, p.title) for p in prompts] == [
            ("toy", "greeting", ""),
            ("toy", "review", "Review code"),
        ]
        review = prompts[1]
        assert review.label == "Review code — toy"
        assert review.arguments == (
            PromptArgument("code", "", True),
            PromptArgument("language", "", False),
        )
        assert review.matches("rev") and review.matches("CODE") and not review.matches("zzz")
        assert missing_arguments(review, {"language": "go"}) == ["code"]

        text = await agg.get_prompt("toy", "review", {"code": "x = 1", "language": "go"})
        assert text == "Please review this go code from t:\n\nx = 1"
        assert await agg.get_prompt("toy", "greeting", {}) == "Hello from t!"

        with pytest.raises(PromptError, match="The prompt 'nope' of 'toy' failed"):
            await agg.get_prompt("toy", "nope", {})
        with pytest.raises(PromptError, match="'gone' is not ready"):
            await agg.get_prompt("gone", "review", {})
