"""The user's login-shell PATH, for commands such as npx, uvx and node.

An app started from the desktop (or the macOS Dock) gets a short PATH without ``~/.local/bin``,
nvm's or Homebrew's directories, so ``npx`` that works in a terminal would be "not found".
:class:`ShellPath` asks the user's shell once, in the background (never blocking the loop),
with a time limit; when that fails it falls back to the app's own PATH.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sys
from collections.abc import Mapping

log = logging.getLogger(__name__)

_MARK = "__CHATDESK_PATH_7f3a__"
#: Printed between two markers, so whatever rc files print around it is ignored.
_SCRIPT = f"echo {_MARK}; printenv PATH; echo {_MARK}"
#: Set for the shell so rc files can skip slow work (as VS Code's VSCODE_RESOLVING_ENVIRONMENT).
RESOLVING_ENV = "CHATDESK_RESOLVING_ENVIRONMENT"

#: Hints for commands people commonly name without having them installed.
INSTALL_HINTS = {
    "npx": "install Node.js",
    "node": "install Node.js",
    "npm": "install Node.js",
    "uvx": "install uv",
    "uv": "install uv",
    "docker": "install Docker",
    "deno": "install Deno",
    "bunx": "install Bun",
    "bun": "install Bun",
}


def _default_shell(environ: Mapping[str, str]) -> str | None:
    shell = environ.get("SHELL", "").strip()
    if shell:
        return shell
    with contextlib.suppress(Exception):
        import pwd

        return pwd.getpwuid(os.getuid()).pw_shell or None
    return None


def parse_output(output: str) -> str | None:
    """The PATH between the two markers of the shell's output, or None."""
    parts = output.split(_MARK)
    if len(parts) < 3:
        return None
    value = parts[1].strip()
    return value or None


def merge_paths(first: str | None, then: str | None) -> str:
    """``first``'s directories, then those of ``then`` not already there (order kept)."""
    seen: set[str] = set()
    merged: list[str] = []
    for chunk in (first, then):
        for entry in (chunk or "").split(os.pathsep):
            if entry and entry not in seen:
                seen.add(entry)
                merged.append(entry)
    return os.pathsep.join(merged)


class ShellPath:
    """Looks the login-shell PATH up once (cached); concurrent callers share one lookup."""

    def __init__(
        self,
        shell: str | None = None,
        *,
        timeout_s: float = 5.0,
        environ: Mapping[str, str] | None = None,
        enabled: bool | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._shell = shell if shell is not None else _default_shell(self._environ)
        self._timeout_s = timeout_s
        self._enabled = (sys.platform != "win32") if enabled is None else enabled
        self._lookup: asyncio.Future[str | None] | None = None

    @property
    def own_path(self) -> str:
        """The app's own PATH."""
        return self._environ.get("PATH", os.defpath)

    async def login_path(self) -> str | None:
        """The login shell's PATH, or None when it cannot be had (no shell, timeout, Windows)."""
        if not self._enabled or not self._shell:
            return None
        if self._lookup is None:
            self._lookup = asyncio.ensure_future(self._ask_shell(self._shell))
        return await asyncio.shield(self._lookup)

    async def search_path(self) -> str:
        """Where commands are looked for: the login shell's PATH first, then the app's own."""
        return merge_paths(await self.login_path(), self.own_path)

    async def _ask_shell(self, shell: str) -> str | None:
        env = {**self._environ, RESOLVING_ENV: "1"}
        try:
            proc = await asyncio.create_subprocess_exec(
                shell,
                "-l",
                "-i",
                "-c",
                _SCRIPT,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # no controlling terminal; killable as a group
            )
        except OSError as exc:
            log.info("cannot ask the login shell %s for PATH: %s", shell, exc)
            return None
        try:
            async with asyncio.timeout(self._timeout_s):
                out, _ = await proc.communicate()
        except TimeoutError:
            log.warning(
                "the login shell %s took over %g s; using the app's PATH", shell, self._timeout_s
            )
            _kill_group(proc)
            with contextlib.suppress(Exception):
                await proc.wait()
            return None
        except asyncio.CancelledError:
            _kill_group(proc)
            raise
        path = parse_output(out.decode("utf-8", errors="replace"))
        if path is None:
            log.info("the login shell %s printed no PATH (exit %s)", shell, proc.returncode)
        return path


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()


def not_found_message(command: str) -> str:
    """``npx not found: install Node.js or give a full path``."""
    hint = INSTALL_HINTS.get(command.lower(), f"install {command}")
    return f"{command} not found: {hint} or give a full path"


def find_command(command: str, search_path: str) -> str | None:
    """The full path of a bare ``command`` on ``search_path``, or None."""
    return shutil.which(command, path=search_path)
