"""The widget kit: palette helpers, cards, icons, the theme and the Qt task runner.

Imports no other ui package."""
