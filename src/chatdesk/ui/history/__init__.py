"""Your history's windows: the search palette (Ctrl+K), import progress and report, export,
and backups (restore)."""
