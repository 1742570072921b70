"""ChatController over a shared ModelCatalogue: the widgets' API (models, model_info,
load_models, modelsChanged) unchanged, the list itself in the Qt-free service."""

from __future__ import annotations

from typing import Any, NoReturn

from PySide6.QtWidgets import QApplication

from chatdesk.core.model_catalogue import ModelCatalogue
from chatdesk.core.models import ModelInfo, TurnConfig
from chatdesk.errors import ProviderConnectionError
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from qtapp import SignalWaiter


def _no_backend() -> NoReturn:
    raise AssertionError("a shared catalogue needs no backend of the controller's")


def _controller(catalogue: ModelCatalogue, runner: TaskRunner) -> ChatController:
    return ChatController(
        None, _no_backend, runner, TurnConfig, "openai/gpt-4o-mini", catalogue=catalogue
    )


async def test_the_controller_shows_the_shared_catalogue(
    qapp: QApplication, provider: OpenRouterClient
) -> None:
    catalogue = ModelCatalogue(provider)
    runner = TaskRunner()
    controller = _controller(catalogue, runner)
    changed = SignalWaiter(controller.modelsChanged)
    assert controller.models == [] and controller.model_info("openai/gpt-4o-mini") is None
    controller.load_models()
    (models,) = await changed.wait()
    assert models == catalogue.models == controller.models and models
    assert controller.model_info("openai/gpt-4o-mini") is catalogue.info("openai/gpt-4o-mini")
    # Loaded elsewhere (by the app, say): the controller's widgets hear it too.
    catalogue.replace([ModelInfo("zz/only")])
    (again,) = await changed.wait(2)
    assert [m.id for m in again] == ["zz/only"] == [m.id for m in controller.models]
    await runner.wait_idle()


class _Offline:
    async def list_models(self, *, refresh: bool = False) -> list[ModelInfo]:
        raise ProviderConnectionError("offline")


async def test_a_failed_load_is_a_notice_once_nothing_is_shown(qapp: QApplication) -> None:
    catalogue = ModelCatalogue(_Offline())
    runner = TaskRunner()
    controller = _controller(catalogue, runner)
    notices: list[tuple[Any, ...]] = []
    controller.notice.connect(lambda *args: notices.append(args))
    controller.load_models()
    await runner.wait_idle()
    assert len(notices) == 1 and notices[0][0] == "warning"
    assert "Could not load the model list" in notices[0][1]
    catalogue.replace([ModelInfo("a/b")])
    controller.load_models()  # a list is shown already: a stale one is fine, no notice
    await runner.wait_idle()
    assert len(notices) == 1
    controller.load_models(refresh=True)  # asked for by the user: told
    await runner.wait_idle()
    assert len(notices) == 2 and controller.models == [ModelInfo("a/b")]
