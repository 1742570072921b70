"""The fake server itself: exact wire bytes, scripting, recording; usable from sync code."""

from __future__ import annotations

import json
import socket

import httpx

from chatdesk.core.models import ToolCall
from fakes.openrouter import KEEPALIVE, FakeOpenRouter, Reply


def raw_exchange(fake: FakeOpenRouter, body: dict[str, object]) -> bytes:
    """POST /chat/completions over a plain socket; returns every byte until the server closes."""
    payload = json.dumps(body).encode()
    head = (
        f"POST /api/v1/chat/completions?x=1 HTTP/1.1\r\nHost: 127.0.0.1:{fake.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as sock:
        sock.sendall(head + payload)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def dechunk(body: bytes) -> tuple[list[bytes], bool]:
    """HTTP/1.1 chunks of a body, and whether the terminating zero chunk arrived."""
    chunks: list[bytes] = []
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            return chunks, True
        chunks.append(rest[:size])
        assert rest[size : size + 2] == b"\r\n"
        body = rest[size + 2 :]
    return chunks, False


def test_stream_wire_format_is_chunked_sse_one_event_per_chunk(
    fake_openrouter: FakeOpenRouter,
) -> None:
    fake_openrouter.enqueue(Reply.stream("Hi there", generation_id="gen-wire"))
    raw = raw_exchange(fake_openrouter, {"model": "m", "stream": True, "messages": []})
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    assert "Content-Type: text/event-stream" in lines
    assert "Transfer-Encoding: chunked" in lines
    assert "X-Generation-Id: gen-wire" in lines
    chunks, complete = dechunk(body)
    assert complete
    assert chunks[0] == KEEPALIVE
    assert chunks[-1] == b"data: [DONE]\n\n"
    events = [json.loads(c[6:]) for c in chunks[1:-1]]
    assert [e["choices"][0]["delta"]["content"] for e in events[:2]] == ["Hi ", "there"]
    assert events[2]["choices"][0]["finish_reason"] == "stop"
    assert events[3]["choices"] == []
    assert events[3]["usage"]["cost"] > 0
    assert all(e["id"] == "gen-wire" for e in events)


def test_drop_closes_without_the_terminating_chunk(fake_openrouter: FakeOpenRouter) -> None:
    fake_openrouter.enqueue(Reply.drop_after(1, "a b c"))
    raw = raw_exchange(fake_openrouter, {"stream": True})
    chunks, complete = dechunk(raw.partition(b"\r\n\r\n")[2])
    assert not complete
    assert len(chunks) == 2  # the keep-alive comment and one data event


def test_requests_are_recorded(fake_openrouter: FakeOpenRouter) -> None:
    raw_exchange(fake_openrouter, {"model": "m", "stream": True, "messages": []})
    (request,) = fake_openrouter.requests
    assert request.method == "POST"
    assert request.path == "/api/v1/chat/completions"
    assert request.endpoint == "/chat/completions"
    assert request.query == {"x": "1"}
    assert request.headers["content-type"] == "application/json"
    assert request.json == {"model": "m", "stream": True, "messages": []}


def test_sync_client_default_echo_and_non_streamed_adaptation(
    fake_openrouter: FakeOpenRouter,
) -> None:
    call = ToolCall("c1", "f", '{"x": 1}')
    fake_openrouter.enqueue(Reply.stream("Streamed or not", tool_calls=[call]))
    with httpx.Client(base_url=fake_openrouter.base_url) as http:
        adapted = http.post("/chat/completions", json={"stream": False}).json()
        message = adapted["choices"][0]["message"]
        assert message["content"] == "Streamed or not"
        assert message["tool_calls"][0]["function"] == {"name": "f", "arguments": '{"x": 1}'}
        assert adapted["choices"][0]["finish_reason"] == "tool_calls"
        echo = http.post(
            "/chat/completions",
            json={"model": "x/y", "messages": [{"role": "user", "content": "ping"}]},
        ).json()
        assert echo["choices"][0]["message"]["content"] == "ping"
        assert echo["model"] == "x/y"
        missing = http.get("/nothing/here")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == 404
    assert fake_openrouter.pending() == 0


def test_error_replies_carry_openrouter_json_and_retry_after(
    fake_openrouter: FakeOpenRouter,
) -> None:
    fake_openrouter.enqueue(Reply.error(429, retry_after=2), Reply.error(402))
    with httpx.Client(base_url=fake_openrouter.base_url) as http:
        limited = http.post("/chat/completions", json={})
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "2"
        assert limited.json() == {
            "error": {"code": 429, "message": "Rate limit exceeded: free-models-per-min."}
        }
        assert http.post("/chat/completions", json={}).json()["error"]["code"] == 402


def test_responders_and_per_path_queues(fake_openrouter: FakeOpenRouter) -> None:
    fake_openrouter.enqueue(lambda req: Reply.json({"seen": req.json}), path="/custom")
    fake_openrouter.set_default(Reply.json({"data": []}), path="/models")
    with httpx.Client(base_url=fake_openrouter.base_url) as http:
        assert http.post("/custom", json={"a": 1}).json() == {"seen": {"a": 1}}
        assert http.get("/models").json() == {"data": []}
        assert http.get("/key").json()["data"]["usage"] == 0.25
    assert [r.endpoint for r in fake_openrouter.requests] == ["/custom", "/models", "/key"]


def test_required_api_key(fake_openrouter: FakeOpenRouter) -> None:
    fake_openrouter.api_key = "sk-right"
    with httpx.Client(base_url=fake_openrouter.base_url) as http:
        assert http.get("/key").status_code == 401
        ok = http.get("/key", headers={"Authorization": "Bearer sk-right"})
        assert ok.status_code == 200


def test_context_manager_without_fixture() -> None:
    with FakeOpenRouter() as fake:
        assert fake.base_url.startswith("http://127.0.0.1:")
        assert fake.base_url.endswith("/api/v1")
        with httpx.Client() as http:
            assert http.get(fake.base_url + "/models").status_code == 200
    fake.close()  # closing twice is harmless
