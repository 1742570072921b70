"""chatdesk.attachments."""
