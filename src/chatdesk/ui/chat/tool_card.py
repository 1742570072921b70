"""Temporary re-export for chat_controller (moved to ui/chat/tool_cards/tool_outcome.py)."""

from chatdesk.ui.chat.tool_cards.tool_outcome import ToolRun

__all__ = ["ToolRun"]
