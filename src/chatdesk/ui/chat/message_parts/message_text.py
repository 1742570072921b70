"""The text of a message: a user's plain text, or an answer's Markdown, rendered at once or
streamed. A long stream continues in more bodies below the first (this widget is the
``DocumentHost`` of its ``StreamRenderer``)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import QVBoxLayout, QWidget

from chatdesk.ui.chat.message_parts.message_body import MessageBody
from chatdesk.ui.rendering.document_html import set_document_html
from chatdesk.ui.rendering.markdown import render_blocks
from chatdesk.ui.rendering.stream_renderer import StreamRenderer

__all__ = ["MessageText"]


class MessageText(QWidget):
    """The bodies showing a message's text, top to bottom (one unless a long stream).

    A user's message shows ``body`` alone, in its bubble (``boxed=False``: the message lays the
    body out itself and keeps this box hidden).
    """

    def __init__(self, *, dark: bool, boxed: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBodies")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._dark = dark
        self._source = ""
        self._codes: tuple[str, ...] = ()
        self._renderer: StreamRenderer | None = None  # from a stream's start until re-rendered
        self._streaming = False
        self._extra_bodies: list[MessageBody] = []
        self.body = MessageBody(self)
        self.body.copyCodeRequested.connect(self._copy_code)
        if boxed:
            layout.addWidget(self.body)

    # --- state -----------------------------------------------------------------------------------

    @property
    def dark(self) -> bool:
        """Whether code is coloured for a dark theme."""
        return self._dark

    @property
    def source(self) -> str:
        """The message's Markdown source (what Copy copies)."""
        if self._streaming and self._renderer is not None:
            return self._renderer.text
        return self._source

    @property
    def code_blocks(self) -> tuple[str, ...]:
        """Source of the rendered code blocks, indexed like their ``copy-code`` links."""
        if self._renderer is not None:
            return self._renderer.code_blocks
        return self._codes

    @property
    def is_streaming(self) -> bool:
        """True between start_stream and finish_stream."""
        return self._streaming

    @property
    def stream_renderer(self) -> StreamRenderer | None:
        """The renderer of the streamed text, until the text is rendered anew."""
        return self._renderer

    @property
    def is_rendering(self) -> bool:
        """True while streamed text still waits for its final render (a few event-loop passes)."""
        return self._renderer is not None and not self._renderer.done

    def bodies(self) -> list[MessageBody]:
        """The bodies showing the text, top to bottom."""
        return [self.body, *self._extra_bodies]

    def plain_text(self) -> str:
        """The text shown, as the one document it would be."""
        return "\n".join(body.toPlainText() for body in self.bodies())

    # --- content ---------------------------------------------------------------------------------

    def keep_source(self, text: str) -> None:
        """Remember ``text`` as the source without showing it (a message of tool cards)."""
        self._source = text

    def set_plain(self, text: str) -> None:
        """Show ``text`` as it is (a user's message)."""
        self.discard()
        self._source = text
        self.body.setPlainText(text)

    def set_markdown(self, text: str) -> None:
        """Show ``text`` rendered as Markdown, at once."""
        self._source = text
        self.render_markdown()

    def render_markdown(self) -> None:
        """Render the source anew (also after a theme switch)."""
        self.discard()
        rendered = render_blocks(self._source, dark=self._dark)
        self._codes = rendered.code_blocks
        set_document_html(self.body.document(), rendered.html)

    def start_stream(self) -> None:
        """Empty, ready for streamed text (a stored partial is cleared)."""
        self.discard()
        self.body.document().clear()
        self._source = ""
        self._renderer = StreamRenderer(
            self.body.document(), dark=self._dark, host=self, parent=self.body
        )
        self._streaming = True

    def append(self, text: str) -> None:
        """Add streamed text."""
        assert self._renderer is not None
        self._renderer.append(text)

    def finish_stream(self, content: str | None) -> str:
        """Render the streamed text for good (``content`` replaces it when given); returns
        the source."""
        assert self._renderer is not None
        self._streaming = False
        source = self._renderer.text if content is None else content
        self._source = source
        self._renderer.finish(source)
        return source

    def discard(self) -> None:
        """Forget the stream renderer: the document is about to be replaced."""
        if self._renderer is not None:
            self._renderer.abandon()
            self._renderer.deleteLater()
            self._renderer = None
        self._streaming = False
        self.remove_extra_documents()

    def set_dark(self, dark: bool, *, markdown: bool) -> None:
        """Code colours of the theme: a stream continues with them, rendered Markdown is
        rendered anew when ``markdown``."""
        self._dark = dark
        if self._renderer is not None and not self._renderer.done:
            self._renderer.set_dark(dark)
        elif markdown and self._source:
            self.render_markdown()

    # --- more bodies for long answers (DocumentHost) ---------------------------------------------

    def add_document(self) -> QTextDocument:
        """A new body below the last one; returns its document."""
        body = MessageBody(self)
        body.setFont(self.body.font())
        body.copyCodeRequested.connect(self._copy_code)
        layout = self.layout()
        assert layout is not None
        layout.addWidget(body)
        body.show()
        self._extra_bodies.append(body)
        return body.document()

    def remove_extra_documents(self) -> None:
        """Back to the one body."""
        layout = self.layout()
        for body in self._extra_bodies:
            if layout is not None:
                layout.removeWidget(body)
            body.hide()
            body.deleteLater()
        self._extra_bodies.clear()

    def _copy_code(self, index: int) -> None:
        codes = self.code_blocks
        if 0 <= index < len(codes):
            QGuiApplication.clipboard().setText(codes[index])
