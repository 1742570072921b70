"""Markdown to HTML and the stream renderer that paints an answer as it arrives."""
