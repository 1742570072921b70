"""TurnState: the rules of the one turn that streams, without Qt and without the task.

One turn streams at a time. It belongs to a conversation (``conversation_id``); the open view
shows it live only while that conversation stays open (``live``). Leaving and coming back
shows the stored state, and a view that comes back while it still streams is re-attached with
everything the answer has received so far. Text deltas wait in a buffer until the controller
flushes them to the view.

A send's text is kept until the user message is stored: a turn that ends (stopped or failed)
before that gives it back to the composer, and "Retry" on that unsent message sends it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Reattach:
    """What a view that comes back needs to show the streaming answer again."""

    message_id: int
    model: str
    text: str
    reasoning: str


@dataclass(slots=True)
class SendProgress:
    """One send: its text, and whether its user message reached the database.

    Each send has its own record: a turn's title may still be on its way when the next send
    starts, and the text given back must be the failed send's own. ``TurnState.send`` is the
    record of the turn that streams now.
    """

    text: str
    user_stored: bool = False


@dataclass(slots=True)
class TurnState:
    """The current (or last) turn: whose it is, what streamed, what may go back to the composer."""

    conversation_id: int | None = None  # the conversation of the current/last turn
    live: bool = False  # the open view shows that turn as it streams
    active: bool = False  # a turn's answer is streaming (Send disabled, Stop enabled)
    streaming_id: int | None = None  # the assistant message being streamed
    send: SendProgress | None = None  # the current turn's send (None: a regeneration)
    failed_draft: str | None = None  # text of a send that was never stored
    answer_model: str = ""
    # Everything the streaming message has received, to re-attach a view that comes back.
    answer_text: list[str] = field(default_factory=list)
    answer_reasoning: list[str] = field(default_factory=list)
    # What arrived since the last flush to the view.
    text_buf: list[str] = field(default_factory=list)
    reasoning_buf: list[str] = field(default_factory=list)

    # -- the turn's life -------------------------------------------------------------------

    def start(self, send: SendProgress | None = None) -> None:
        """A turn starts: a send (whose text may go back) or a regeneration (None). A new send
        drops the draft of an earlier failed one."""
        if send is not None:
            self.failed_draft = None
        self.send = send

    def set_active(self, active: bool) -> bool:
        """Mark the answer streaming or not; True if that changed (busy changed)."""
        if active == self.active:
            return False
        self.active = active
        return True

    def follow(self, conversation_id: int) -> None:
        """The turn runs in ``conversation_id``, which the view shows live."""
        self.conversation_id = conversation_id
        self.live = True

    def answer_started(self, message_id: int, model: str) -> None:
        """The assistant message exists."""
        self.answer_text, self.answer_reasoning = [], []
        self.answer_model = model
        self.streaming_id = message_id

    def continued(self, message_id: int) -> None:
        """After tool calls, the answer goes on in a new assistant message."""
        self.answer_text, self.answer_reasoning = [], []
        self.streaming_id = message_id

    def stream_over(self) -> int | None:
        """The answer stopped streaming (done, failed or cancelled); returns its message id."""
        message_id, self.streaming_id = self.streaming_id, None
        return message_id

    def ended(self) -> str | None:
        """The turn's task ended. Returns the send's text if its user message was never
        stored: it goes back to the composer when the task was cancelled or crashed."""
        self.streaming_id = None
        send, self.send = self.send, None
        return send.text if send is not None and not send.user_stored else None

    def give_back(self, text: str) -> None:
        """``text`` was not stored and goes back to the composer; Retry (-1) resends it."""
        self.failed_draft = text

    # -- the view --------------------------------------------------------------------------

    def viewing(self, open_conversation_id: int | None) -> bool:
        """Does the open view show the turn live?"""
        return (
            self.live
            and self.conversation_id is not None
            and self.conversation_id == open_conversation_id
        )

    def opened(self, conversation_id: int | None) -> None:
        """The view opened ``conversation_id`` (None: a new chat): it stops showing the turn
        live unless that is the turn's own conversation (then see :meth:`needs_reattach`)."""
        if conversation_id is None or conversation_id != self.conversation_id:
            self.live = False

    def needs_reattach(self, conversation_id: int) -> bool:
        """The user came back to the conversation whose answer still streams."""
        return (
            conversation_id == self.conversation_id
            and self.streaming_id is not None
            and not self.live
        )

    def reattach(self) -> Reattach:
        """Show the turn live again: everything received so far, in one piece."""
        assert self.streaming_id is not None
        self.live = True
        self.text_buf.clear()
        self.reasoning_buf.clear()  # already in answer_*: sent whole
        return Reattach(
            self.streaming_id,
            self.answer_model,
            "".join(self.answer_text),
            "".join(self.answer_reasoning),
        )

    # -- deltas ------------------------------------------------------------------------------

    def text(self, delta: str) -> None:
        self.text_buf.append(delta)
        self.answer_text.append(delta)

    def reasoning(self, delta: str) -> None:
        self.reasoning_buf.append(delta)
        self.answer_reasoning.append(delta)

    def take_buffered(self) -> tuple[str, str] | None:
        """The text and reasoning since the last call (None when nothing arrived)."""
        if not self.text_buf and not self.reasoning_buf:
            return None
        text, reasoning = "".join(self.text_buf), "".join(self.reasoning_buf)
        self.text_buf.clear()
        self.reasoning_buf.clear()
        return text, reasoning
