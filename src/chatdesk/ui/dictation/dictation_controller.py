"""Dictation in the window: a controller that runs the transcriber and drives the composer,
the mic button (recording indicator and level meter) and a push-to-talk key filter.

``DictationController`` never awaits in a slot: the session runs through
``TaskRunner.spawn(key="dictation")`` and reports events synchronously on the loop. Interim
text goes to ``Composer.show_interim``, finals to ``commit_final``; ``AutoSubmit`` (pure rules,
clock injected) decides when the composer's text leaves, and a precise QTimer wakes ``tick``
at the deadline. A manual stop, typing or an error cancel the countdown; an error keeps every
dictated word (the interim is kept as text) and says what happened through ``notice``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from chatdesk.core.dictation import (
    AudioLevel,
    AudioSource,
    AutoSubmit,
    Closed,
    Final,
    Interim,
    Listening,
    Transcriber,
    TranscriptEvent,
    TranscriptionFailed,
)
from chatdesk.errors import ChatdeskError
from chatdesk.speech.settings import DictationSettings
from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.dictation.mic_button import MicButton
from chatdesk.ui.kit.task_runner import TaskRunner

__all__ = ["DictationController"]

TASK_KEY = "dictation"
STATES = ("idle", "starting", "listening", "paused", "stopping")


class DictationController(QObject):
    """Starts and stops dictation sessions and applies their events to the composer."""

    #: idle | starting | listening | paused | stopping
    stateChanged = Signal(str)
    #: Loudness of the latest audio, 0..1.
    levelChanged = Signal(float)
    #: The auto-submit countdown started (seconds until the text is sent).
    countdownStarted = Signal(float)
    countdownCancelled = Signal()
    #: The composer's text left by auto-submit.
    submitted = Signal(str)
    #: (level, text) for the window's banner: "error", "warning" or "info".
    notice = Signal(str, str)
    #: A one-line status ("Listening…", "Sending in 1.2 s…"); "" clears it.
    statusChanged = Signal(str)

    def __init__(
        self,
        composer: Composer,
        runner: TaskRunner,
        settings: DictationSettings,
        transcriber_factory: Callable[[DictationSettings], Transcriber],
        source_factory: Callable[[DictationSettings], AudioSource],
        *,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        # Owned by the composer it drives unless told otherwise: a parentless QObject with a
        # running timer must never be left for Python's garbage collector (which may run in
        # any thread) to destroy.
        super().__init__(parent if parent is not None else composer)
        self.composer = composer
        self.settings = settings
        self._runner = runner
        self._make_transcriber = transcriber_factory
        self._make_source = source_factory
        self._clock = clock
        self.rules = AutoSubmit(settings.auto_submit_delay_s, mode=settings.mode, clock=clock)
        self._transcriber: Transcriber | None = None
        self._state = "idle"
        self._stopping = False
        self._armed: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)
        composer.edit.userEdited.connect(self._user_edited)
        composer.sendRequested.connect(self._sent_by_hand)

    # -- state ---------------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self._state

    @property
    def active(self) -> bool:
        return self._state != "idle"

    def set_settings(self, settings: DictationSettings) -> None:
        """New settings apply to the next session; mode and delay at once."""
        self.settings = settings
        self.rules.set_mode(settings.mode, settings.auto_submit_delay_s)
        self._sync_countdown()

    # -- slots for the shortcut, the mic button and push-to-talk -------------------------

    def toggle(self) -> None:
        """Ctrl+Shift+D: start dictating, or stop."""
        if self._state == "idle":
            self.start()
        else:
            self.stop()

    def start(self) -> None:
        """Start a session (settings are checked before anything is negotiated)."""
        if self._state != "idle":
            return
        try:
            self.settings.check()
            source = self._make_source(self.settings)
            transcriber = self._make_transcriber(self.settings)
        except ChatdeskError as exc:
            self.notice.emit("error", exc.user_message)
            return
        self.rules.set_mode(self.settings.mode, self.settings.auto_submit_delay_s)
        self._transcriber = transcriber
        self._stopping = False
        self._set_state("starting")
        self._runner.spawn(self._run(transcriber, source), key=TASK_KEY)

    def stop(self) -> None:
        """Stop listening; the last words still arrive. The text waits (no auto-submit)."""
        if self._state in ("idle", "stopping") or self._transcriber is None:
            return
        self._stopping = True
        self.rules.cancel()
        self._sync_countdown()
        if self._state == "starting":
            self._runner.cancel(TASK_KEY)  # not connected yet: nothing to flush
            return
        self._set_state("stopping")
        self._transcriber.stop()

    async def shutdown(self, grace_s: float = 3.0) -> None:
        """App shutdown: stop cleanly (the last words still land), cancel after ``grace_s``."""
        import asyncio  # loaded by now; not at import time (the window paints first)

        task = self._runner.running(TASK_KEY)
        self.stop()
        if task is not None and not task.done():
            done, _ = await asyncio.wait({task}, timeout=grace_s)
            if not done:
                task.cancel()
                await asyncio.wait({task}, timeout=grace_s)
        self._timer.stop()

    def push_to_talk_pressed(self) -> None:
        """The push-to-talk key or the mic button went down: listen."""
        if self._state == "idle":
            self.start()
        elif self._state == "paused" and self._transcriber is not None:
            self._transcriber.resume()
            self._set_state("listening")

    def push_to_talk_released(self) -> None:
        """It came up: stop sending audio, ask for the final words (the session stays open,
        kept alive, so the next press is instant)."""
        if self._state in ("listening", "starting") and self._transcriber is not None:
            self._transcriber.finalize()
            if self._state == "listening":
                self._set_state("paused")

    def tick(self) -> None:
        """Check the countdown (the timer calls this at the deadline)."""
        if self.rules.due():
            self._armed = None
            self._submit()
        else:
            self._sync_countdown(force=True)

    def bind_button(self, button: MicButton) -> None:
        """Wire a mic button: click toggles; with push_to_talk, hold to talk."""
        button.clicked.connect(self._button_clicked)
        button.pressed.connect(self._button_pressed)
        button.released.connect(self._button_released)
        self.stateChanged.connect(button.set_state)
        self.levelChanged.connect(button.set_level)
        button.set_state(self._state)

    def _button_clicked(self) -> None:
        if not self.settings.push_to_talk:
            self.toggle()

    def _button_pressed(self) -> None:
        if self.settings.push_to_talk:
            self.push_to_talk_pressed()

    def _button_released(self) -> None:
        if self.settings.push_to_talk:
            self.push_to_talk_released()

    # -- the session ---------------------------------------------------------------------

    async def _run(self, transcriber: Transcriber, source: AudioSource) -> None:
        try:
            await transcriber.run(source, self._on_event)
        finally:
            if self._transcriber is transcriber:
                self._transcriber = None
                self.composer.commit_interim()
                self.levelChanged.emit(0.0)
                self._set_state("idle")

    def _on_event(self, event: TranscriptEvent) -> None:
        if isinstance(event, AudioLevel):
            self.levelChanged.emit(event.level)
            return
        if isinstance(event, Listening):
            paused = self._transcriber is not None and self._transcriber.paused
            if self._state == "starting":
                self._set_state("paused" if paused else "listening")
        elif isinstance(event, Interim):
            self.composer.show_interim(event.text)
        elif isinstance(event, Final):
            self.composer.commit_final(event.text)
        elif isinstance(event, TranscriptionFailed):
            self.composer.commit_interim()
            self.notice.emit("error", event.error.user_message)
        elif isinstance(event, Closed):
            self.composer.commit_interim()
        self.rules.feed(event)
        if self._stopping:
            self.rules.cancel()
        self._sync_countdown()

    def _sync_countdown(self, *, force: bool = False) -> None:
        deadline = self.rules.deadline
        if deadline == self._armed and not force:
            return
        was_armed = self._armed is not None
        self._armed = deadline
        if deadline is None:
            self._timer.stop()
            if was_armed:
                self.countdownCancelled.emit()
                self.statusChanged.emit(self._idle_status())
            return
        remaining = max(0.0, deadline - self._clock())
        self._timer.start(math.ceil(remaining * 1000))
        if not force:
            self.countdownStarted.emit(remaining)
            self.statusChanged.emit(
                f"Sending in {remaining:.1f} s… (keep talking or type to cancel)"
            )

    def _submit(self) -> None:
        text = self.composer.committed_text()
        if self.composer.submit_dictated():
            self.submitted.emit(text)
            self.statusChanged.emit("Sent" if self.active else "")
        elif text.strip():
            self.notice.emit(
                "info",
                "The dictated text waits in the composer: an answer is still streaming. "
                "Press Enter when it is done.",
            )

    def _user_edited(self) -> None:
        if self.rules.deadline is not None:
            self.rules.user_typed()
            self._sync_countdown()
            self.statusChanged.emit("Auto-send cancelled because you typed; press Enter to send.")

    def _sent_by_hand(self, _text: str) -> None:
        self.rules.reset()
        self._sync_countdown()

    def _idle_status(self) -> str:
        return {"listening": "Listening…", "paused": "Dictation paused"}.get(self._state, "")

    def _set_state(self, state: str) -> None:
        if state == self._state:
            return
        self._state = state
        self.stateChanged.emit(state)
        if state == "idle" and self.rules.utterance_ended and self.settings.mode == "review":
            self.statusChanged.emit("Review the dictated text, then press Enter to send.")
        elif self._armed is None:
            self.statusChanged.emit(
                {"starting": "Connecting to Deepgram…", "stopping": "Finishing…"}.get(
                    state, self._idle_status()
                )
            )
