"""The main window: sidebar, chat view, composer, model picker, menus and status bar.

It only wires widgets to the ``ChatController``'s methods and signals; it never awaits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.models import Attachment, Conversation, Message, ModelInfo, Usage
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.chat.chat_view import ChatView
from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.composer.slash_popup import SlashPopup
from chatdesk.ui.composer.suggestion_chips import SuggestionChips
from chatdesk.ui.dictation.mic_button import MicButton
from chatdesk.ui.kit.formatting import format_usage
from chatdesk.ui.shell.banner import Banner
from chatdesk.ui.shell.composer_drafts import ComposerDrafts
from chatdesk.ui.shell.first_run_panel import FirstRunPanel
from chatdesk.ui.shell.focus_home import FocusHome
from chatdesk.ui.shell.main_menus import MainMenus
from chatdesk.ui.shell.main_toolbar import MainToolbar
from chatdesk.ui.shell.model_picker import ModelPicker
from chatdesk.ui.shell.sidebar import Sidebar
from chatdesk.ui.shell.unsent_drafts import UnsentDrafts
from chatdesk.ui.shell.window_intents import WindowIntents
from chatdesk.ui.shell.window_state import WindowState, next_zoom

if TYPE_CHECKING:
    from chatdesk.attachments.validate import Limits, PendingFile
    from chatdesk.attachments.views import AttachmentView
    from chatdesk.core.presets import Preset
    from chatdesk.core.suggestions import Suggestion
    from chatdesk.ui.composer.drop_paste_helper import DropPasteHelper
    from chatdesk.ui.dictation.dictation_controller import DictationController
    from chatdesk.ui.tools.approval_cards import ApprovalCards


#: Enter while an answer streams: the text stays, and this says why.
BUSY_SEND = "An answer is still coming (Esc stops it): your message waits here until it is done."


class MainWindow(WindowIntents, QMainWindow):
    """Everything the user sees."""

    settingsRequested = Signal()
    themeRequested = Signal(str)
    keySubmitted = Signal(str)
    localServerChosen = Signal(object)  # LocalServer found on this computer (first run)
    quitRequested = Signal()
    savePresetRequested = Signal()
    managePresetsRequested = Signal()
    suggestionsRequested = Signal()
    mcpServersRequested = Signal()
    toolActivityRequested = Signal()
    #: Search, import, export, back up, backups (File menu, Ctrl+K, the chat list's menu).
    historyRequested = Signal(str)
    #: Export these chats (the chat list's menu).
    exportChatsRequested = Signal(object)
    #: Emitted once, just after the window's first paint (start deferred work then).
    firstPainted = Signal()

    def __init__(
        self,
        controller: ChatController,
        state: QSettings,
        *,
        data_dir: str,
        logs_dir: str,
        theme: str = "system",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("chatdesk")
        self.controller = controller
        self._state = WindowState(state)
        self._zoom = self._state.zoom()
        self._closing = False
        self._painted = False
        self.close_accepted = False

        self.sidebar = Sidebar(self)
        self.chat_view = ChatView(self)
        self.composer = Composer(self)
        self.suggestion_chips = SuggestionChips(self)
        self.approval_cards: ApprovalCards | None = None  # once MCP is up
        self.close_hides = False  # closing hides the window (the tray keeps the app)
        self.mic_button = MicButton(self.composer)  # dictation binds to it after the paint
        self.mic_button.setEnabled(False)
        self.composer.add_accessory(self.mic_button)
        self.slash_popup = SlashPopup(self.composer.edit)
        self.drop_helper: DropPasteHelper | None = None  # see enable_attachments
        self.banner = Banner(self)
        self.unsent_drafts = UnsentDrafts(self.composer, self.focus_composer, self)
        self.drafts = ComposerDrafts(  # each chat's own text
            self.composer, self._state, self, offer=self.unsent_drafts.offer_started
        )
        self.unsent_drafts.inserted.connect(self.drafts.forget_begun)
        self.first_run = FirstRunPanel(self)
        self.model_picker = ModelPicker(self)
        self.model_picker.set_current(controller.model)

        chat_area = QWidget(self)
        chat_area.setObjectName("chatArea")
        column = QVBoxLayout(chat_area)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.chat_view, 1)
        column.addWidget(self.suggestion_chips)
        column.addWidget(self.unsent_drafts.strip)
        column.addWidget(self.banner)
        column.addWidget(self.composer)

        self.chat_area = chat_area
        self.stack = QStackedWidget(self)
        self.stack.addWidget(chat_area)
        self.stack.addWidget(self.first_run)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([260, 900])
        self.setCentralWidget(self.splitter)

        self._build_toolbar()
        self._build_menus(theme, data_dir, logs_dir)
        self._build_status_bar()
        self._connect()
        from chatdesk.ui.shell.branch_links import BranchLinks
        from chatdesk.ui.shell.prompt_links import PromptLinks
        from chatdesk.ui.shell.resource_links import ResourceLinks

        self.branch_links = BranchLinks(self)
        self.prompt_links, self.resource_links = PromptLinks(self), ResourceLinks(self)
        self._restore_state()
        self.chat_view.set_zoom(self._zoom)
        self.composer.edit.setFocus()
        # A card answered, a dialog or a menu closed: the next keys go to the composer.
        self.focus_home = FocusHome(self, self.focus_composer)

    # -- construction --------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = self.toolbar = MainToolbar(self.model_picker, self)
        self.sidebar_toggle = bar.sidebar_toggle
        self.preset_label = bar.preset_label
        self.addToolBar(bar)
        bar.polish_now()

    def _build_menus(self, theme: str, data_dir: str, logs_dir: str) -> None:
        menus = self.menus = MainMenus(self, theme, data_dir=data_dir, logs_dir=logs_dir)
        self.new_action = menus.new_action
        self.sidebar_action = menus.sidebar_action
        self.theme_group = menus.theme_group
        self.presets_menu = menus.presets_menu
        self.presets = menus.presets
        self.tools_menu = menus.tools_menu
        self.mcp_servers_action = menus.mcp_servers_action
        self.dictate_action = menus.dictate_action
        self.settings_action = menus.settings_action
        menus.zoomStepped.connect(self._step_zoom)
        menus.zoomReset.connect(lambda: self._set_zoom(100))
        menus.themeRequested.connect(self.themeRequested)
        menus.mcpServersRequested.connect(self.mcpServersRequested)
        menus.toolActivityRequested.connect(self.toolActivityRequested)
        menus.suggestionsRequested.connect(self.suggestionsRequested)
        menus.refreshModelsRequested.connect(lambda: self.controller.load_models(refresh=True))
        menus.settingsRequested.connect(self.settingsRequested)
        menus.historyRequested.connect(self.historyRequested)

    def _build_status_bar(self) -> None:
        self.usage_label = QLabel("", self)
        self.usage_label.setObjectName("usageLabel")
        self.statusBar().addPermanentWidget(self.usage_label)

    def _connect(self) -> None:
        c = self.controller
        self.new_action.triggered.connect(self.new_chat)
        self.sidebar.newRequested.connect(self.new_chat)
        self.sidebar.openRequested.connect(c.open_conversation)
        self.sidebar.renameRequested.connect(c.rename_conversation)
        self.sidebar.pinRequested.connect(c.set_pinned)
        self.sidebar.deleteRequested.connect(c.delete_conversation)
        self.sidebar.filterChanged.connect(c.refresh_conversations)
        self.sidebar_action.toggled.connect(self.sidebar.setVisible)
        self.sidebar_toggle.triggered.connect(self.sidebar_action.toggle)
        self.composer.sendRequested.connect(self._send)
        self.composer.stopRequested.connect(c.stop)
        self.model_picker.modelChosen.connect(c.set_model)
        self.presets.presetChosen.connect(c.apply_preset)
        self.presets.saveRequested.connect(self.savePresetRequested)
        self.presets.manageRequested.connect(self.managePresetsRequested)
        self.suggestion_chips.suggestionChosen.connect(self._use_suggestion)
        self.suggestion_chips.manageRequested.connect(self.suggestionsRequested)
        self.chat_view.retryRequested.connect(c.retry)
        self.chat_view.openSettingsRequested.connect(self.settingsRequested)
        self.chat_view.loadOlderRequested.connect(c.load_older)
        self.chat_view.attachmentOpenRequested.connect(c.open_attachment)
        self.first_run.keySubmitted.connect(self.keySubmitted)
        self.first_run.openSettingsRequested.connect(self.settingsRequested)
        self.first_run.localServerChosen.connect(self.localServerChosen)
        self.sidebar.typedAway.connect(self._typed_in_sidebar)
        self.sidebar.exportRequested.connect(self.exportChatsRequested)

        c.conversationsChanged.connect(self.sidebar.set_conversations)
        c.conversationOpened.connect(self._conversation_opened)
        c.olderMessagesLoaded.connect(self._older_loaded)
        c.revealRequested.connect(self.chat_view.reveal_message)
        c.userMessageAdded.connect(self.chat_view.add_message)
        c.assistantStarted.connect(self.chat_view.start_assistant)
        c.streamDelta.connect(self.chat_view.append_stream)
        c.retryScheduled.connect(self.chat_view.show_retry)
        c.messageFinished.connect(self.chat_view.finish_message)
        c.turnFailed.connect(self._turn_failed)
        c.busyChanged.connect(self._busy_changed)
        self.composer.sendRefused.connect(lambda: self.status(BUSY_SEND, 6000))
        c.usageChanged.connect(self._usage_changed)
        c.titleChanged.connect(self._title_changed)
        c.modelsChanged.connect(self._models_changed)
        c.currentModelChanged.connect(self.model_picker.set_current)
        c.conversationStored.connect(self.drafts.stored)
        c.draftRestored.connect(self.unsent_drafts.restore)
        c.draftResent.connect(self.unsent_drafts.resent)
        c.notice.connect(self.notify)
        c.toolActivity.connect(self._tool_activity)
        c.toolCallStarted.connect(self.chat_view.tool_started)
        c.toolCallFinished.connect(self.chat_view.tool_finished)
        c.toolRunsLoaded.connect(self.chat_view.apply_tool_runs)
        c.presetChanged.connect(self._preset_changed)
        c.presetApplied.connect(self._preset_applied)
        c.modelMissing.connect(self._model_missing)
        c.userMessageAdded.connect(self._hide_chips)
        c.filesRestored.connect(self._files_restored)
        c.attachmentReady.connect(self._open_attachment)

    # -- intents: what the app asks of the window -----------------------------------------

    def notify(self, level: str, text: str) -> None:
        """A notice in the banner above the composer (``level``: info, warning or error); no
        text takes the notice shown away."""
        if text:
            self.banner.show_text(level, text)
        else:
            self.banner.hide()

    def status(self, text: str, timeout_ms: int = 0) -> None:
        """A line in the status bar (for ``timeout_ms``; 0 until replaced)."""
        self.statusBar().showMessage(text, timeout_ms)

    def set_dark(self, dark: bool) -> None:
        """The chat follows a dark (or light) theme."""
        self.chat_view.set_dark(dark)

    def show_attachments(self, messages: Sequence[Message]) -> None:
        """The files of messages already shown (read after the first paint)."""
        self.chat_view.show_attachments(messages)

    def dictation_target(self) -> Composer:
        """The composer, which dictation types into."""
        return self.composer

    def selected_conversations(self) -> tuple[int, ...]:
        """The chats selected in the sidebar's list (Ctrl+click, Shift+click)."""
        return self.sidebar.selected_ids()

    def open_dialog(self, dialog: QDialog) -> None:
        """Show a window-modal dialog that deletes itself when closed (focus then goes back
        to the composer)."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self.focus_composer)
        dialog.open()

    def _typed_in_sidebar(self, text: str) -> None:
        """Keys typed in the chat list go on in the composer (nothing typed is lost)."""
        self.focus_composer()
        self.composer.edit.insertPlainText(text)

    def focus_composer(self) -> None:
        """Keyboard focus to where the user writes: the composer (or, before a key is set,
        the welcome panel's key field)."""
        if self.stack.currentWidget() is self.first_run:
            self.first_run.key_edit.setFocus()
        else:
            self.composer.edit.setFocus()

    # -- reactions -----------------------------------------------------------------------

    def install_dictation(
        self, dictation: DictationController, push_to_talk_key: str = "F9"
    ) -> None:
        """Dictation works from now on (after the first paint): the mic button, Tools › Dictate
        (Ctrl+Shift+D), a hold-to-talk key, notices in the banner, status in the status bar."""
        from chatdesk.ui.dictation.push_to_talk_key import PushToTalkKey

        dictation.bind_button(self.mic_button)
        self.dictate_action.triggered.connect(dictation.toggle)
        self.dictate_action.setEnabled(True)
        self.mic_button.setEnabled(True)
        self.push_to_talk = PushToTalkKey(dictation, push_to_talk_key, self)
        self.push_to_talk.attach_to(self)
        dictation.notice.connect(self.notify)
        dictation.statusChanged.connect(self._dictation_status)

    def _dictation_status(self, text: str) -> None:
        self.status(text, 0 if text else 1)

    def enable_attachments(
        self,
        limits: Limits,
        views: Callable[[Sequence[Attachment]], Sequence[AttachmentView]] | None = None,
    ) -> None:
        """Attachments work from now on: the composer's chips (checked against ``limits``),
        files dropped anywhere on the window or pasted (Ctrl+V) become chips, and the chat
        shows the files of its messages through ``views``."""
        from chatdesk.ui.composer.drop_paste_helper import install_drop_and_paste

        if views is not None:
            self.chat_view.attachment_views = views
        first = self.composer.chips is None
        chips = self.composer.enable_attachments(limits)
        if first:
            self.drop_helper = install_drop_and_paste(self, self.composer.edit, chips)
            chips.rejected.connect(self._files_rejected)

    def _open_id(self) -> int | None:
        return self.controller.conversation_id

    def new_chat(self) -> None:
        self.controller.new_conversation()
        self.composer.edit.setFocus()

    def _send(self, text: str) -> None:
        if self.controller.send(text, self.composer.files()):
            self.banner.hide()
            self.composer.clear_after_send()

    def _files_rejected(self, text: str) -> None:
        self.notify("warning", text)

    def _files_restored(self, files: Sequence[PendingFile]) -> None:
        if self.composer.chips is not None:
            self.composer.chips.add_pending(files)

    def _open_attachment(self, view: AttachmentView) -> None:
        url = QUrl.fromLocalFile(str(view.path)) if view.path else QUrl(view.url or "")
        if url.isEmpty() or not QDesktopServices.openUrl(url):
            self.notify("warning", f"Could not open {view.filename}.")

    # Slots for the controller's signals are methods, never lambdas: the controller outlives
    # the window, and only a method's connection is dropped when the window is destroyed.

    def _older_loaded(self, messages: Sequence[Message], has_older: bool) -> None:
        self.chat_view.prepend_messages(messages, has_older=has_older)

    def set_presets(self, presets: Sequence[Preset]) -> None:
        """Fill the Presets menu (the active one checked)."""
        active = self.controller.preset
        self.presets.set_presets(presets, active.id if active else None)

    def set_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        """The prompt templates behind the chips and the composer's "/" menu."""
        self.suggestion_chips.set_suggestions(suggestions)
        self.slash_popup.set_suggestions(suggestions)

    def _use_suggestion(self, text: str) -> None:
        self.composer.set_text(text)
        self.composer.edit.setFocus()

    def _hide_chips(self, _message: Message) -> None:
        self.suggestion_chips.hide()

    def _preset_changed(self, preset: Preset | None) -> None:
        self.presets.set_active(preset.id if preset else None)
        self.toolbar.show_preset(preset.name if preset else None)

    def _preset_applied(self, text: str) -> None:
        self.status(text, 8000)

    def _model_missing(self, model: str) -> None:
        """Say so, and offer the picker; never open it under the user's typing."""
        self.banner.show_text(
            "warning",
            f"The preset's model “{model}” is not in the model list; its other settings apply.",
            ("Choose a model…", self._choose_model),
        )

    def _choose_model(self) -> None:
        self.model_picker.setFocus()
        self.model_picker.showPopup()

    def _tool_activity(self, text: str) -> None:
        self.status(text, 0 if text else 1)

    def _conversation_opened(
        self, conversation: Conversation | None, messages: Sequence[Message], has_older: bool
    ) -> None:
        self.drafts.opened(conversation)  # the composer holds this chat's own unsent text
        self.chat_view.show_conversation(messages, has_older=has_older)
        if self.approval_cards is not None:  # a tool call of this chat may be waiting
            self.approval_cards.show_for(conversation.id if conversation else None)
        self.suggestion_chips.setVisible(not messages)
        self.sidebar.set_current(conversation.id if conversation else None)
        self.setWindowTitle(f"{conversation.title} — chatdesk" if conversation else "chatdesk")
        self._state.set_last_conversation(conversation.id if conversation else None)
        self.composer.edit.setFocus()

    def _title_changed(self, conversation_id: int, title: str) -> None:
        if self.controller.conversation_id == conversation_id:
            self.setWindowTitle(f"{title} — chatdesk")

    def _turn_failed(
        self, message_id: int | None, text: str, kind: str, partial: Message | None
    ) -> None:
        self.chat_view.show_error(message_id, text, kind=kind, partial=partial)

    def _busy_changed(self, busy: bool) -> None:
        self.composer.set_busy(busy)
        if busy:
            self.status("Answering…  (Esc to stop)")
        else:
            self.statusBar().clearMessage()

    def _usage_changed(self, last: Usage | None, total: Usage) -> None:
        parts = []
        if last is not None:
            parts.append(f"Last reply: {format_usage(last.total_tokens, last.cost)}")
        if total.total_tokens:
            parts.append(f"Chat: {format_usage(total.total_tokens, total.cost)}")
        self.usage_label.setText("   ".join(parts))

    def _models_changed(self, models: Sequence[ModelInfo]) -> None:
        self.model_picker.set_models(models)
        self.model_picker.set_current(self.controller.model)

    # -- view ----------------------------------------------------------------------------

    def _step_zoom(self, step: int) -> None:
        self._set_zoom(next_zoom(self._zoom, step))

    def _set_zoom(self, percent: int) -> None:
        self._zoom = percent
        self._state.set_zoom(percent)
        self.chat_view.set_zoom(percent)
        self.status(f"Zoom {percent}%", 1500)

    def _restore_state(self) -> None:
        visible = self._state.restore(self, self.splitter)
        self.sidebar_action.setChecked(visible)
        self.sidebar.setVisible(visible)

    def save_state(self) -> None:
        self.drafts.save()
        self._state.save(self, self.splitter, self.sidebar_action.isChecked())

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self.firstPainted.emit)  # cancelled if the window goes

    @property
    def painted(self) -> bool:
        """Whether the window has been painted once."""
        return self._painted

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the layout, then let the app shut down in order (see ``chatdesk.app.root``);
        with ``close_hides`` (close to the tray) only hide."""
        if self.close_hides and not self._closing:
            self.save_state()
            event.ignore()
            self.hide()
            return
        if not self._closing:
            self._closing = True
            self.save_state()
            self.quitRequested.emit()
        event.accept()
        self.close_accepted = True

    def last_conversation(self) -> int | None:
        return self._state.last_conversation()
