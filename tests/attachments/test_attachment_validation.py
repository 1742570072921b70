"""Checking files by content: types, damaged files, sizes, names; every refusal says why."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from attachment_samples import GIF, JPEG, WEBP, pdf, png, windows_exe

from chatdesk.attachments.errors import AttachmentRejected
from chatdesk.attachments.names import human_size, sanitize_filename
from chatdesk.attachments.sniff import NotSupported, sniff
from chatdesk.attachments.validate import (
    MIB,
    Limits,
    PendingFile,
    check_all,
    check_bytes,
    read_and_check,
)

LIMITS = Limits()


@pytest.mark.parametrize(
    ("data", "mime", "ext"),
    [
        (png(), "image/png", ".png"),
        (JPEG, "image/jpeg", ".jpg"),
        (GIF, "image/gif", ".gif"),
        (WEBP, "image/webp", ".webp"),
        (pdf(), "application/pdf", ".pdf"),
    ],
)
def test_binary_types_are_found_by_their_magic_not_their_name(
    data: bytes, mime: str, ext: str
) -> None:
    found = sniff(data, "holiday.txt")  # a misleading name changes nothing
    assert (found.mime_type, found.blob_ext) == (mime, ext)


@pytest.mark.parametrize(
    ("name", "text", "mime"),
    [
        ("notes.txt", "just words\n", "text/plain"),
        ("README.md", "# Title\n\n* item\n", "text/markdown"),
        ("table.csv", "a,b\n1,2\n", "text/csv"),
        ("data.json", '{"a": [1, 2]}', "application/json"),
        ("no-extension", '[{"x": 1}]', "application/json"),
        ("script.py", "print('hi')\n", "text/x-python"),
        ("app.js", "console.log(1)\n", "text/javascript"),
        ("unicode.txt", "\ufeffgrüße ✓ 日本語\n", "text/plain"),
        ("broken.json", '{"a": ', "text/plain"),
    ],
)
def test_text_is_decided_by_content_and_flavoured_by_name(name: str, text: str, mime: str) -> None:
    assert sniff(text.encode("utf-8"), name).mime_type == mime


def test_text_blobs_never_keep_a_runnable_extension() -> None:
    assert sniff(b"alert(1)", "evil.js").blob_ext == ".txt"
    assert sniff(b"echo hi", "run.bat").blob_ext == ".txt"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (windows_exe(), "Windows program"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "Linux program"),
        (b"PK\x03\x04" + bytes(40), "ZIP archive"),
        (b"\xff\xfeh\x00i\x00", "UTF-16"),
        (b"\x00\x01\x02\x03binary\xff\xfe", "not a supported type"),
        (b"abc\x00def", "not a supported type"),
        (b"\xc3\x28 invalid utf-8", "not UTF-8 text"),
    ],
)
def test_unsupported_content_is_refused_with_what_it_is(data: bytes, reason: str) -> None:
    with pytest.raises(NotSupported, match=reason):
        sniff(data, "photo.png")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (png()[:-12], "PNG image is cut short"),
        (png()[:40], "PNG image is cut short"),
        (png()[:8], "PNG image is cut short"),
        (png()[:30] + b"\x00" + png()[31:], "checksum does not match"),
        (JPEG[: len(JPEG) // 2], "JPEG image is cut short"),
        (WEBP[:-10], "WebP image is cut short"),
        (pdf()[:-30], "PDF is incomplete"),
        (GIF[:10], "GIF image is cut short"),
    ],
)
def test_damaged_files_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(NotSupported, match=reason):
        sniff(data)


def test_a_renamed_exe_is_refused_naming_the_file() -> None:
    with pytest.raises(AttachmentRejected) as caught:
        check_bytes("cute-cat.png", windows_exe(), LIMITS)
    assert caught.value.rejections[0].filename == "cute-cat.png"
    assert str(caught.value).startswith("cute-cat.png was not attached: it is a Windows program")
    assert caught.value.kind == "attachment"


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(AttachmentRejected, match=r"^empty.txt was not attached: it is empty"):
        check_bytes("empty.txt", b"", LIMITS)


def test_a_truncated_png_is_refused_naming_the_file() -> None:
    with pytest.raises(AttachmentRejected, match=r"^shot.png was not attached: the PNG image is"):
        check_bytes("shot.png", png()[:-12], LIMITS)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "video-export.png"
    with big.open("wb") as handle:  # a sparse 50 MB file: nothing to read if size is checked
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(AttachmentRejected) as caught:
        read_and_check(PendingFile.from_path(big), LIMITS)
    assert str(caught.value) == (
        "video-export.png was not attached: it is 50 MB, more than the 10 MB limit."
    )


def test_the_size_limit_is_configurable() -> None:
    limits = Limits(max_file_bytes=100)
    check_bytes("ok.txt", b"x" * 100, limits)
    with pytest.raises(AttachmentRejected, match="101 bytes, more than the 100 bytes limit"):
        check_bytes("big.txt", b"x" * 101, limits)


def test_a_path_traversal_name_is_reduced_to_its_last_part() -> None:
    checked = check_bytes("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", LIMITS)
    assert checked.filename == "passwd"
    assert checked.mime_type == "text/plain"
    assert checked.sha256 == hashlib.sha256(b"root:x:0:0:root:/root:/bin/bash\n").hexdigest()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system32\\cmd.exe", "cmd.exe"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("..", "attachment"),
        ("", "attachment"),
        ("   ", "attachment"),
        (".hidden", "hidden"),
        ("bad\x00name\x07.txt", "badname.txt"),
        ("a<b>c:d|e?f*.md", "a_b_c_d_e_f_.md"),
        ("CON.txt", "_CON.txt"),
        ("right\u202eexe.txt", "rightexe.txt"),
        ("trailing dots...", "trailing dots"),
    ],
)
def test_file_names_are_sanitised(raw: str, clean: str) -> None:
    assert sanitize_filename(raw) == clean


def test_long_names_keep_their_extension() -> None:
    clean = sanitize_filename("x" * 300 + ".pdf")
    assert len(clean) <= 120 and clean.endswith("….pdf")


def test_an_unnamed_file_gets_a_name_with_its_type() -> None:
    assert check_bytes("", png(), LIMITS).filename == "attachment.png"


def test_every_refusal_in_a_batch_is_reported_together(tmp_path: Path) -> None:
    good = tmp_path / "fine.txt"
    good.write_text("hello")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    missing = tmp_path / "gone.pdf"
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(AttachmentRejected) as caught:
        check_all(
            [
                PendingFile.from_path(good),
                PendingFile.from_path(empty),
                PendingFile.from_path(missing),
                PendingFile.from_path(folder),
                PendingFile("setup.exe.png", data=windows_exe()),
            ],
            LIMITS,
        )
    assert [r.filename for r in caught.value.rejections] == [
        "empty.csv",
        "gone.pdf",
        "folder",
        "setup.exe.png",
    ]
    assert "no longer exists" in caught.value.rejections[1].reason
    assert "folder, not a file" in caught.value.rejections[2].reason


def test_the_message_limit_names_the_file_that_crosses_it() -> None:
    limits = Limits(max_file_bytes=10 * MIB, max_message_bytes=15 * MIB)
    files = [PendingFile(f"part{i}.txt", data=b"a" * (6 * MIB)) for i in range(3)]
    with pytest.raises(AttachmentRejected) as caught:
        check_all(files, limits)
    assert caught.value.rejections[0].filename == "part2.txt"
    assert "18 MB, more than the 15 MB a message may carry" in str(caught.value)


def test_too_many_files_are_refused() -> None:
    files = [PendingFile(f"n{i}.txt", data=b"x") for i in range(4)]
    with pytest.raises(AttachmentRejected, match=r"n3\.txt was not attached: a message can carry"):
        check_all(files, Limits(max_files=3))


def test_human_sizes() -> None:
    assert human_size(0) == "0 bytes"
    assert human_size(1) == "1 byte"
    assert human_size(1536) == "1.5 KB"
    assert human_size(10 * MIB) == "10 MB"
