"""chatdesk.providers."""
