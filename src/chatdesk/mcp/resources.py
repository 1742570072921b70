"""MCP resources: what each ready server offers to attach ("Attach from a server…"), and a
chosen resource's contents as files for the message (text, or a blob such as an image)."""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chatdesk.errors import ChatdeskError

__all__ = ["ResourceError", "ResourceFile", "ServerResource", "resource_files", "server_resources"]

_UNSAFE = re.compile(r"[^\w.\- ]+")


class ResourceError(ChatdeskError):
    """A resource could not be read; the message names the server and the resource."""

    kind = "mcp"


@dataclass(frozen=True, slots=True)
class ServerResource:
    """A resource (``uri``) or a resource template (``uri`` is the template) of a server."""

    server_id: str
    uri: str
    name: str
    title: str = ""
    description: str = ""
    mime_type: str = ""
    template: bool = False

    @property
    def label(self) -> str:
        return f"{self.title or self.name} — {self.server_id}"

    def matches(self, query: str) -> bool:
        """Whether the picker's search finds it (name, title, uri or description)."""
        needle = query.casefold().strip()
        hay = f"{self.name} {self.title} {self.uri} {self.description} {self.server_id}"
        return not needle or needle in hay.casefold()


@dataclass(frozen=True, slots=True)
class ResourceFile:
    """One content of a read resource, as a file to attach."""

    name: str
    data: bytes
    mime_type: str


def server_resources(server_id: str, listed: Iterable[Any]) -> list[ServerResource]:
    """The mcp ``Resource`` and ``ResourceTemplate`` objects of one server."""
    out = []
    for r in listed:
        template = hasattr(r, "uri_template")
        out.append(
            ServerResource(
                server_id,
                str(r.uri_template if template else r.uri),
                r.name,
                r.title or "",
                r.description or "",
                r.mime_type or "",
                template,
            )
        )
    return out


def _file_name(resource: ServerResource, uri: str, mime: str, index: int) -> str:
    base = _UNSAFE.sub("_", resource.name or uri.rsplit("/", 1)[-1] or "resource").strip("_")
    base = base or "resource"
    if "." not in base:
        base += mimetypes.guess_extension(mime or "text/plain") or ".txt"
    return base if index == 0 else f"{index + 1}-{base}"


def resource_files(
    resource: ServerResource, uri: str, contents: Iterable[Any]
) -> list[ResourceFile]:
    """The contents of a ``ReadResourceResult`` as files; raises ``ResourceError`` for a blob
    that is not valid base64."""
    files: list[ResourceFile] = []
    for index, content in enumerate(contents):
        mime = content.mime_type or resource.mime_type or ""
        if hasattr(content, "text"):
            data = content.text.encode()
            mime = mime or "text/plain"
        else:
            try:
                data = base64.b64decode(content.blob, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ResourceError(
                    f"The resource {uri} of {resource.server_id!r} sent damaged data."
                ) from exc
        files.append(ResourceFile(_file_name(resource, uri, mime, index), data, mime))
    return files
