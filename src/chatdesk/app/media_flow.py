"""MediaFlow: attachments (store, retention reaper) and dictation (transcriber, audio source)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatdesk.app.context import AppContext
from chatdesk.app.flow import Flow
from chatdesk.errors import ConfigError
from chatdesk.settings import Settings
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio

    from chatdesk.attachments.service import AttachmentService
    from chatdesk.core.dictation import AudioSource, Transcriber
    from chatdesk.core.models import Message
    from chatdesk.speech.settings import DictationSettings
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.ui.dictation.dictation_controller import DictationController


class MediaFlow(Flow):
    """Starts the attachment store with the database and dictation after the first paint."""

    def __init__(
        self,
        ctx: AppContext,
        window: MainWindow,
        controller: ChatController,
        runner: TaskRunner,
    ) -> None:
        super().__init__(ctx, window, controller, runner)
        self.attachments: AttachmentService | None = None  # made by start_attachments
        self.dictation: DictationController | None = None  # made after the first paint
        self._reaper: asyncio.Future[None] | None = None  # retention of attachments
        self._reaper_stop: asyncio.Event | None = None

    # -- attachments ---------------------------------------------------------------------

    async def start_attachments(
        self, repository: ChatRepository, shown: list[Message], problems: list[str]
    ) -> None:
        """The attachment store (local or GCS); the files of the user messages ``shown``."""
        from chatdesk.attachments.config import AttachmentsConfig
        from chatdesk.attachments.factory import build_attachment_service

        try:
            config = AttachmentsConfig.from_settings(self._ctx.settings)
        except ConfigError as exc:
            config = AttachmentsConfig()
            problems.append(exc.user_message)
        self.attachments, more = build_attachment_service(
            config,
            repository,
            self._ctx.data_dir,
            server_parses_pdfs=self._ctx.is_openrouter,
        )
        problems.extend(more)
        self._controller.attach_attachments(self.attachments)
        self._window.enable_attachments(self.attachments.limits, self.attachments.views_now)
        if shown:
            with_files = await self.attachments.with_attachments(shown)
            self._window.show_attachments([m for m in with_files if m.attachments])

    def start_reaper(self) -> None:
        """Delete attachments past their retention, in the background until ``stop_reaper``."""
        import asyncio

        if self.attachments is not None and self._reaper is None:
            # Not a runner task: it never ends by itself (shutdown stops it).
            self._reaper_stop = asyncio.Event()
            self._reaper = asyncio.ensure_future(self.attachments.run_reaper(self._reaper_stop))

    async def stop_reaper(self) -> None:
        if self._reaper is not None and self._reaper_stop is not None:
            import asyncio

            self._reaper_stop.set()
            await asyncio.wait([self._reaper], timeout=5)

    # -- dictation -----------------------------------------------------------------------

    def start_dictation(self) -> None:
        """The mic button, Tools › Dictate and the hold-to-talk key work from now on."""
        from chatdesk.speech.settings import DictationSettings
        from chatdesk.ui.dictation.dictation_controller import DictationController

        if self.dictation is not None:
            return
        self.dictation = DictationController(
            self._window.dictation_target(),
            self._runner,
            DictationSettings.from_settings(self._ctx.settings),
            self._build_transcriber,
            self._audio_source,
            parent=self._window,
        )
        self._window.install_dictation(self.dictation)

    def set_settings(self, settings: Settings) -> None:
        """New settings were saved: dictation (once started) uses their limits."""
        if self.dictation is not None:
            from chatdesk.speech.settings import DictationSettings

            self.dictation.set_settings(DictationSettings.from_settings(settings))

    async def stop_dictation(self) -> None:
        if self.dictation is not None:
            await self.dictation.shutdown()

    def _build_transcriber(self, dictation: DictationSettings) -> Transcriber:
        from chatdesk.speech.deepgram import DeepgramTranscriber  # deepgram-sdk: on first use

        secrets = self._ctx.secrets
        return DeepgramTranscriber(
            dictation,
            lambda: secrets.get("deepgram"),
            base_url=self._ctx.settings.deepgram_base_url,
        )

    def _audio_source(self, dictation: DictationSettings) -> AudioSource:
        """The WAV file of ``audio_input`` (CHATDESK_AUDIO_INPUT) when set, else the mic."""
        from chatdesk.ui.dictation.microphone_source import source_factory

        return source_factory(self._ctx.settings.audio_input)(dictation)
