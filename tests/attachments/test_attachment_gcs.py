"""The GCS backend against gcp-storage-emulator (a real process on 127.0.0.1), with URLs
signed by a service-account key generated here."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from attachment_samples import pdf, png
from attachment_support import OrchestratorFactory, ServiceFactory, gcs_store
from cryptography.hazmat.primitives.asymmetric import rsa

from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.attachments.errors import BlobStoreError
from chatdesk.attachments.factory import build_attachment_service
from chatdesk.attachments.gcs_store import NO_SIGNER
from chatdesk.attachments.retention import ReapReport
from chatdesk.attachments.service import AttachmentService
from chatdesk.core.events import TurnDone, TurnEvent, TurnFailed, TurnStarted
from chatdesk.core.models import TurnConfig
from chatdesk.settings import SettingsStore
from chatdesk.storage.attachments import AttachmentStore
from chatdesk.storage.repository import ChatRepository
from fakes.clock import DAY, START, FakeClock
from fakes.gcs import GcsEmulator, verify_v4_signature, write_service_account
from fakes.openrouter import FakeOpenRouter

VISION = TurnConfig(model="openai/gpt-4o-mini", generate_titles=False)
WEEK = 7 * 24 * 3600


def _local_files(root: Path) -> list[Path]:
    return list(root.rglob("*")) if root.exists() else []


async def _collect(events: AsyncIterator[TurnEvent]) -> list[TurnEvent]:
    return [event async for event in events]


@pytest.fixture
def key_file(tmp_path: Path) -> tuple[Path, rsa.RSAPublicKey]:
    path = tmp_path / "service-account.json"
    return path, write_service_account(path)


@pytest.fixture
def gcs_service(
    make_service: ServiceFactory,
    gcs_emulator: GcsEmulator,
    gcs_prefix: str,
    key_file: tuple[Path, Any],
) -> AttachmentService:
    config = AttachmentsConfig(backend="gcs", gcs_bucket=gcs_emulator.bucket, gcs_prefix=gcs_prefix)
    return make_service(gcs_store(gcs_emulator, gcs_prefix, key_file[0]), config=config)


async def test_the_message_carries_signed_urls_to_objects_in_the_bucket(
    gcs_service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
    gcs_emulator: GcsEmulator,
    gcs_prefix: str,
    key_file: tuple[Path, rsa.RSAPublicKey],
    blob_root: Path,
) -> None:
    image = await gcs_service.add_bytes("screenshot.png", png())
    document = await gcs_service.add_bytes("report.pdf", pdf())
    conv = await repo.create_conversation()

    events = await _collect(
        make_orchestrator(gcs_service).send(conv.id, "Describe", VISION, [image, document])
    )

    assert isinstance(events[-1], TurnDone)
    png_name = f"{gcs_prefix}{hashlib.sha256(png()).hexdigest()}.png"
    pdf_name = f"{gcs_prefix}{hashlib.sha256(pdf()).hexdigest()}.pdf"
    assert gcs_emulator.object_names(gcs_prefix) == sorted([png_name, pdf_name])
    assert gcs_emulator.object_metadata(png_name)["contentType"] == "image/png"
    assert _local_files(blob_root) == []  # nothing stored locally

    content = fake_openrouter.requests_to()[-1].json["messages"][0]["content"]
    assert [p["type"] for p in content] == ["text", "image_url", "file"]
    image_url = content[1]["image_url"]["url"]
    pdf_url = content[2]["file"]["file_data"]
    assert content[2]["file"]["filename"] == "report.pdf"
    for url, name, data in ((image_url, png_name, png()), (pdf_url, pdf_name, pdf())):
        assert url.startswith(f"{gcs_emulator.host}/{gcs_emulator.bucket}/{name}?")
        params = verify_v4_signature(url, key_file[1])  # signed by our key
        assert params["X-Goog-Expires"] == str(WEEK)
        assert params["X-Goog-Credential"].startswith("chatdesk-test@chatdesk-test.iam.")
        assert gcs_emulator.fetch(url) == (200, data)

    assert isinstance(events[0], TurnStarted) and events[0].user_message is not None
    message_id = events[0].user_message.id
    (first, second) = (await AttachmentStore(repo).for_messages([message_id]))[message_id]
    assert first.backend == "gcs" and first.signed_url == image_url
    assert first.signed_url_expires_at == START + WEEK
    assert second.signed_url == pdf_url


async def test_signed_urls_are_cached_and_signed_again_within_the_last_hour(
    gcs_service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
    clock: FakeClock,
    key_file: tuple[Path, rsa.RSAPublicKey],
) -> None:
    orchestrator = make_orchestrator(gcs_service)
    conv = await repo.create_conversation()
    image = await gcs_service.add_bytes("cat.png", png())
    await _collect(orchestrator.send(conv.id, "A cat", VISION, [image]))

    def sent_url() -> str:
        content = fake_openrouter.requests_to()[-1].json["messages"][0]["content"]
        return str(content[1]["image_url"]["url"])

    async def cached() -> tuple[str | None, float | None]:
        messages = await repo.list_messages(conv.id)
        (row,) = (await AttachmentStore(repo).for_messages([messages[0].id]))[messages[0].id]
        return row.signed_url, row.signed_url_expires_at

    first_url = sent_url()
    assert await cached() == (first_url, START + WEEK)

    clock.advance(WEEK - 2 * 3600)  # still valid for two hours: reused
    await _collect(orchestrator.send(conv.id, "Still there?", VISION))
    assert sent_url() == first_url
    assert await cached() == (first_url, START + WEEK)

    clock.advance(3600 + 60)  # now it expires within the hour: signed again
    await _collect(orchestrator.send(conv.id, "And now?", VISION))
    assert await cached() == (sent_url(), clock.now + WEEK)
    verify_v4_signature(sent_url(), key_file[1])


async def test_the_same_file_is_one_object(
    gcs_service: AttachmentService, gcs_emulator: GcsEmulator, gcs_prefix: str
) -> None:
    first = await gcs_service.add_bytes("a.png", png())
    second = await gcs_service.add_bytes("b.png", png())
    assert first.blob_key == second.blob_key
    assert gcs_emulator.object_names(gcs_prefix) == [first.blob_key]
    assert await gcs_service.read(second) == png()


async def test_reaping_and_deleting_a_conversation_remove_objects(
    gcs_service: AttachmentService,
    repo: ChatRepository,
    clock: FakeClock,
    gcs_emulator: GcsEmulator,
    gcs_prefix: str,
) -> None:
    conv = await repo.create_conversation()
    message = await repo.append_message(conv.id, "user", "files")
    kept = await gcs_service.add_bytes("doc.pdf", pdf())
    shared = await gcs_service.add_bytes("img.png", png())
    await gcs_service.attach(message, [kept, shared])
    await gcs_service.add_bytes("draft-of-img.png", png())  # same blob, never sent
    clock.advance(2 * DAY)

    assert await gcs_service.reap() == ReapReport(rows=1, blobs=0)  # the draft; blob shared
    assert len(gcs_emulator.object_names(gcs_prefix)) == 2
    assert await gcs_service.delete_conversation(conv.id) == ReapReport(rows=2, blobs=2)
    assert gcs_emulator.object_names(gcs_prefix) == []


async def test_without_a_signing_key_the_turn_fails_with_what_to_do(
    make_service: ServiceFactory,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
    gcs_emulator: GcsEmulator,
    gcs_prefix: str,
) -> None:
    config = AttachmentsConfig(backend="gcs", gcs_bucket=gcs_emulator.bucket, gcs_prefix=gcs_prefix)
    service = make_service(gcs_store(gcs_emulator, gcs_prefix, None), config=config)
    image = await service.add_bytes("cat.png", png())  # upload works anonymously
    conv = await repo.create_conversation()
    events = await _collect(make_orchestrator(service).send(conv.id, "x", VISION, [image]))
    failed = events[-1]
    assert isinstance(failed, TurnFailed)
    assert NO_SIGNER in failed.error.user_message
    assert fake_openrouter.requests_to() == []


async def test_an_unreachable_bucket_is_reported_and_nothing_is_recorded(
    make_service: ServiceFactory, repo: ChatRepository, key_file: tuple[Path, Any]
) -> None:
    store = gcs_store_at("http://127.0.0.1:9", key_file[0])
    service = make_service(store, config=AttachmentsConfig(backend="gcs", gcs_bucket="b"))
    with pytest.raises(BlobStoreError, match="could not be reached"):
        await service.add_bytes("cat.png", png())
    rows = await repo.read("count", "SELECT count(*) FROM attachments")
    assert rows[0][0] == 0


def gcs_store_at(host: str, key: Path) -> Any:
    from chatdesk.attachments.gcs_store import GcsBlobStore

    return GcsBlobStore("b", "", credentials_file=str(key), emulator_host=host, retry_timeout_s=0.2)


async def test_a_missing_bucket_is_named(
    make_service: ServiceFactory, gcs_emulator: GcsEmulator, key_file: tuple[Path, Any]
) -> None:
    from chatdesk.attachments.gcs_store import GcsBlobStore

    store = GcsBlobStore(
        "no-such-bucket", "", credentials_file=str(key_file[0]), emulator_host=gcs_emulator.host
    )
    with pytest.raises(BlobStoreError, match="'no-such-bucket' does not exist"):
        await store.check_bucket()
    await GcsBlobStore(gcs_emulator.bucket, "", emulator_host=gcs_emulator.host).check_bucket()


async def test_the_environment_configures_gcs_end_to_end(
    repo: ChatRepository,
    data_dir: Path,
    clock: FakeClock,
    gcs_emulator: GcsEmulator,
    gcs_prefix: str,
    key_file: tuple[Path, rsa.RSAPublicKey],
) -> None:
    environ = {
        "ATTACHMENTS_BACKEND": "gcs",
        "ATTACHMENTS_GCS_BUCKET": gcs_emulator.bucket,
        "ATTACHMENTS_GCS_PREFIX": f"/{gcs_prefix}",
        "ATTACHMENTS_SIGNED_URL_TTL_S": "3600",
        "GOOGLE_APPLICATION_CREDENTIALS": str(key_file[0]),
        "STORAGE_EMULATOR_HOST": gcs_emulator.host,
    }
    settings = SettingsStore(data_dir / "settings.json", environ).load()
    config = AttachmentsConfig.from_settings(settings, environ)
    service, problems = build_attachment_service(config, repo, data_dir, clock=clock)
    assert problems == []
    added = await service.add_bytes("cat.png", png())
    assert added.backend == "gcs" and added.blob_key.startswith(gcs_prefix)
    assert gcs_emulator.object_names(gcs_prefix) == [added.blob_key]
    (view,) = await service.views([added])
    assert view.path is None and view.url is not None
    assert verify_v4_signature(view.url, key_file[1])["X-Goog-Expires"] == "3600"
    assert gcs_emulator.fetch(view.url) == (200, png())


async def test_views_now_uses_only_fresh_cached_links(
    gcs_service: AttachmentService, clock: FakeClock
) -> None:
    added = await gcs_service.add_bytes("cat.png", png())
    (before,) = gcs_service.views_now([added])
    assert before.url is None and before.path is None  # never signed yet
    (signed,) = await gcs_service.views([added])
    (row,) = await gcs_service._db.get_many([added.id])
    (now_view,) = gcs_service.views_now([row])
    assert now_view.url == signed.url is not None
    clock.advance(WEEK - 1800)  # within the last hour: not offered any more
    assert gcs_service.views_now([row])[0].url is None
    (fresh,) = await gcs_service.views_by_id([added.id])  # signed again on demand
    assert fresh.url is not None and gcs_service.views_now([row])[0].url is None
    (row,) = await gcs_service._db.get_many([added.id])
    assert row.signed_url == fresh.url and row.signed_url_expires_at == clock.now + WEEK
