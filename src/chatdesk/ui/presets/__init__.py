"""Presets: the menu, the manager, the editor dialog and the model settings panel."""
