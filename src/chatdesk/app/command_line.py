"""What ``chatdesk`` was asked to do on its command line (Qt-free, so it is read before Qt).

``chatdesk`` opens the app (or brings the running one forward); ``--new [TEXT]`` opens a new
chat with TEXT in the composer; ``--send TEXT`` opens a new chat and sends TEXT; ``--dictate``
starts dictation; ``--quick`` opens the quick-ask window. A running app (one per data dir)
receives these; otherwise a new one starts and does them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["USAGE", "Command", "UsageError", "parse_command"]

USAGE = """usage: chatdesk [--new [TEXT] | --send TEXT | --dictate | --quick]
       chatdesk import|export|backup|restore ...   (see chatdesk import --help)
       chatdesk mcp-server NAME

  (nothing)      open chatdesk, or bring the running window forward
  --new [TEXT]   a new chat, TEXT in the composer
  --send TEXT    a new chat, TEXT sent at once
  --dictate      start dictation
  --quick        the quick-ask window
  --version      print the version
"""

KINDS = ("show", "new", "send", "dictate", "quick")


class UsageError(Exception):
    """The command line asks for something chatdesk does not know."""


@dataclass(frozen=True, slots=True)
class Command:
    """One thing to do: ``kind`` is show, new, send, dictate or quick."""

    kind: str = "show"
    text: str = ""

    def to_wire(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text}

    @classmethod
    def from_wire(cls, data: object) -> Command:
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            raise UsageError("not a chatdesk command")
        text = data.get("text", "")
        return cls(str(data["kind"]), text if isinstance(text, str) else "")


def parse_command(args: Sequence[str]) -> Command:
    """The command in ``args`` (without the program name). Options Qt takes (``-platform``,
    ``-style``…, one dash) are left for Qt. Raises :class:`UsageError` with what is wrong."""
    found: Command | None = None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if not arg.startswith("--"):
            if arg.startswith("-") and rest and not rest[0].startswith("-"):
                rest.pop(0)  # a Qt option's value
            continue
        if found is not None:
            raise UsageError(f"chatdesk: {arg} cannot be combined with --{found.kind}")
        if arg in ("--new", "--send"):
            text = rest.pop(0) if rest and not rest[0].startswith("--") else ""
            if arg == "--send" and not text.strip():
                raise UsageError("chatdesk: --send needs the text to send")
            found = Command(arg[2:], text)
        elif arg in ("--dictate", "--quick"):
            found = Command(arg[2:])
        else:
            raise UsageError(f"chatdesk: unknown option {arg}\n\n{USAGE}")
    return found or Command()
