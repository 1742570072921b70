"""ResourceLinks: the window's side of MCP resources — "+" › From a server… opens the picker,
and a read resource becomes files attached to the message being written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from chatdesk.mcp.resources import ResourceFile, ServerResource

if TYPE_CHECKING:
    from chatdesk.ui.shell.main_window import MainWindow

__all__ = ["ResourceLinks"]


class ResourceLinks(QObject):
    """``requested`` when the user asks to pick; ``chosen(resource, uri)`` once picked."""

    requested = Signal()
    chosen = Signal(object, str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        window.composer.resourcesRequested.connect(self.requested)

    def offer(self, offered: bool) -> None:
        """Whether "+" offers "From a server…"."""
        self._window.composer.offer_server_files(offered)

    def choose(self, resources: Sequence[ServerResource]) -> None:
        """Show the picker over ``resources``."""
        from chatdesk.ui.tools.resource_picker import ResourcePicker

        picker = ResourcePicker(resources, self._window)
        picker.chosen.connect(self.chosen)
        self._window.open_dialog(picker)

    def attach(self, files: Sequence[ResourceFile]) -> int:
        """Add the files as chips of the message being written; how many were taken."""
        from chatdesk.attachments.validate import PendingFile

        chips = self._window.composer.chips
        if chips is None:
            self._window.notify("warning", "Attachments are not ready yet; try again in a moment.")
            return 0
        added = chips.add_pending([PendingFile(f.name, data=f.data) for f in files])
        self._window.focus_composer()
        return added
