"""chatdesk: a local-first desktop chat app for large language models."""

__version__ = "0.1.0"
APP_NAME = "chatdesk"
