"""The incremental SSE decoder: framing rules, line endings, chunk boundaries, EOF."""

from __future__ import annotations

import pytest

from chatdesk.providers.sse import SSEDecoder, SSEEvent


def decode(*chunks: bytes) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.finish()


def datas(*chunks: bytes) -> list[str]:
    return [event.data for event in decode(*chunks)]


def test_single_events_and_comments_are_skipped() -> None:
    stream = (
        b': OPENROUTER PROCESSING\n\ndata: {"a":1}\n\n: OPENROUTER PROCESSING\n\ndata: {"b":2}\n\n'
    )
    assert datas(stream) == ['{"a":1}', '{"b":2}']


def test_comment_inside_an_event_does_not_end_it() -> None:
    assert datas(b"data: one\n: keep-alive\ndata: two\n\n") == ["one\ntwo"]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert datas(b"data: first\ndata: second\ndata:\ndata: fourth\n\n") == [
        "first\nsecond\n\nfourth"
    ]


def test_only_one_leading_space_is_removed_and_the_colon_space_is_optional() -> None:
    assert datas(b"data:x\n\ndata:  two spaces\n\n") == ["x", " two spaces"]


def test_a_field_without_colon_is_a_name_with_empty_value() -> None:
    assert datas(b"data\n\n") == [""]


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_line_endings(eol: bytes) -> None:
    stream = eol.join([b": c", b"data: a", b"data: b", b"", b"data: [DONE]", b"", b""])
    events = decode(stream)
    assert [e.data for e in events] == ["a\nb", "[DONE]"]
    assert events[-1].is_done


def test_mixed_line_endings() -> None:
    assert datas(b"data: a\r\n\r\ndata: b\n\ndata: c\r\rdata: d\r\n\n") == ["a", "b", "c", "d"]


def test_event_id_and_retry_fields_are_kept_and_unknown_fields_ignored() -> None:
    events = decode(
        b"event: ping\nid: 7\nretry: 1500\nfoo: bar\ndata: x\n\n"
        b"data: y\n\n"
        b"retry: soon\nevent: done\ndata: z\n\n"
    )
    assert events == [
        SSEEvent("x", "ping", "7", 1500),
        SSEEvent("y", "message", "7", None),
        SSEEvent("z", "done", "7", None),
    ]


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert decode(b"\n\n\nevent: lonely\n\n: comment\n\n") == []


def test_done_sentinel() -> None:
    (event,) = decode(b"data: [DONE]\n\n")
    assert event.is_done
    assert not SSEEvent("[DONE] ").is_done


def test_last_event_without_trailing_blank_line_is_dispatched_at_eof() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"a":1}\n\ndata: {"b":2}') == [SSEEvent('{"a":1}')]
    assert decoder.finish() == [SSEEvent('{"b":2}')]
    assert decoder.finish() == []


def test_eof_after_a_complete_line_but_before_the_blank_line() -> None:
    assert datas(b"data: a\ndata: b\n") == ["a\nb"]


SAMPLE = (
    b": OPENROUTER PROCESSING\r\n\r\n"
    b'data: {"t":"h\xc3\xa9llo \xe2\x9c\x93"}\r\n\r\n'
    b"event: note\ndata: line one\ndata: line two\n\n"
    b": OPENROUTER PROCESSING\r\r"
    b'data: {"t":"\xf0\x9f\x98\x80"}\r\n\r\n'
    b"data: [DONE]\n\n"
)
EXPECTED = [
    SSEEvent('{"t":"héllo ✓"}'),
    SSEEvent("line one\nline two", "note"),
    SSEEvent('{"t":"😀"}'),
    SSEEvent("[DONE]"),
]


def test_sample_decodes_whole() -> None:
    assert decode(SAMPLE) == EXPECTED


@pytest.mark.parametrize("cut", range(1, len(SAMPLE)))
def test_sample_split_at_every_byte_boundary(cut: int) -> None:
    assert decode(SAMPLE[:cut], SAMPLE[cut:]) == EXPECTED


def test_sample_fed_one_byte_at_a_time() -> None:
    assert decode(*(SAMPLE[i : i + 1] for i in range(len(SAMPLE)))) == EXPECTED


def test_crlf_split_between_chunks_does_not_make_an_extra_blank_line() -> None:
    # "a\r" | "\n" | "data: b\r\n\r\n": the CR and LF form one line end, so "a" and "b" stay
    # in one event only if no blank line is seen between them.
    assert datas(b"data: a\r", b"\ndata: b\r\n\r\n") == ["a\nb"]


def test_empty_chunks_are_harmless() -> None:
    assert datas(b"", b"data: a", b"", b"\n", b"", b"\n") == ["a"]
