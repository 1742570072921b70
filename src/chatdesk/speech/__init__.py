"""chatdesk.speech."""
