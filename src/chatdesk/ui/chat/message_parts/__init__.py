"""The parts of a chat message widget: its text bodies, header, footer, reasoning and the
thinking indicator."""
