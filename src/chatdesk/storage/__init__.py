"""chatdesk.storage."""
