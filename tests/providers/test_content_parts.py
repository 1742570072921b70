"""Content parts (attachments) in the wire format: OpenAI's content array, OpenRouter's files."""

from __future__ import annotations

from collections.abc import Callable

from chatdesk.core import context
from chatdesk.core.models import ChatRequest, ContentPart, Message, RequestMessage
from chatdesk.providers.openai_wire import chat_body, message_json
from chatdesk.providers.openrouter import OpenRouterClient
from fakes.openrouter import FakeOpenRouter

ClientFactory = Callable[..., OpenRouterClient]
IMAGE = ContentPart("image_url", url="data:image/png;base64,iVBORw0KGgo=", filename="a.png")
PDF = ContentPart("file", url="https://bucket.example/r.pdf?X-Goog-Signature=ab", filename="r.pdf")
TEXT = ContentPart("text", text="File: n.txt\n```\nhello\n```", filename="n.txt")


def test_without_parts_content_stays_a_string() -> None:
    assert message_json(RequestMessage("user", "Hi")) == {"role": "user", "content": "Hi"}


def test_image_and_file_parts_make_a_content_array_text_first() -> None:
    out = message_json(RequestMessage("user", "Look", parts=(IMAGE, PDF, TEXT)))
    assert out == {
        "role": "user",
        "content": [
            {"type": "text", "text": "Look"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            {
                "type": "file",
                "file": {
                    "filename": "r.pdf",
                    "file_data": "https://bucket.example/r.pdf?X-Goog-Signature=ab",
                },
            },
            {"type": "text", "text": "File: n.txt\n```\nhello\n```"},
        ],
    }


def test_an_empty_text_is_left_out_of_the_array() -> None:
    out = message_json(RequestMessage("user", "", parts=(IMAGE,)))
    assert [p["type"] for p in out["content"]] == ["image_url"]


def test_text_only_parts_are_joined_into_the_string() -> None:
    out = message_json(RequestMessage("user", "Summarise", parts=(TEXT,)))
    assert out["content"] == "Summarise\n\nFile: n.txt\n```\nhello\n```"


def test_context_puts_parts_on_their_user_messages_and_counts_them() -> None:
    history = [
        Message(1, 1, "user", "first", 0.0),
        Message(2, 1, "assistant", "answer", 0.0),
        Message(3, 1, "user", "second", 0.0),
    ]
    out = context.to_request_messages(history, {1: (IMAGE,), 2: (PDF,)})
    assert [m.parts for m in out] == [(IMAGE,), (), ()]
    plain = RequestMessage("user", "x")
    assert context.message_tokens(RequestMessage("user", "x", parts=(IMAGE,))) == (
        context.message_tokens(plain) + context.PART_TOKENS
    )


async def test_the_request_body_carries_the_parts(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    request = ChatRequest(
        model="openai/gpt-4o-mini",
        messages=(RequestMessage("user", "What is this?", parts=(IMAGE, PDF)),),
    )
    async for _ in make_client().stream_chat(request):
        pass
    body = fake_openrouter.requests_to()[0].json
    assert body["messages"] == [message_json(request.messages[0])]
    assert body == chat_body(request, stream=True, openrouter=True)
