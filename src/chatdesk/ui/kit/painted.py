"""Temporary re-exports for ui/tools (approval_card, mcp_servers_dialog): import from
ui.kit.colors and ui.kit.card instead, then delete this module."""

from chatdesk.ui.kit.card import Card
from chatdesk.ui.kit.colors import ERROR_RED, is_dark, mix, muted_color

__all__ = ["ERROR_RED", "Card", "is_dark", "mix", "muted_color"]
