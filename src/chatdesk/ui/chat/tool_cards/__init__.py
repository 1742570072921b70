"""Tool-call cards of a chat message: the Qt-free outcome rules, the card, its parts and list."""
