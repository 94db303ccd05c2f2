"""Files known to the emulated Telegram: uploads by the bot and files sent by people.

Telegram identifies files by opaque ``file_id`` strings that a bot may reuse in later sends,
and by ``file_unique_id`` which is stable but unusable for sending. A bot that invents or
mangles a file_id gets ``wrong file identifier/HTTP URL specified``, and so it does here.
"""

from __future__ import annotations

import itertools
import mimetypes
import re
import secrets
from dataclasses import dataclass
from typing import Any

from aiogram.types import BufferedInputFile, InputFile

from emulator.errors import bad_request

_KIND_PREFIX = {
    "photo": "AgAC",
    "document": "BQAC",
    "sticker": "CAAC",
    "video": "BAAC",
    "audio": "CQAC",
    "voice": "AwAC",
    "animation": "CgAC",
}
_KIND_DIR = {
    "photo": "photos",
    "document": "documents",
    "sticker": "stickers",
    "video": "videos",
    "audio": "music",
    "voice": "voice",
    "animation": "animations",
}
_URL = re.compile(r"^https?://\S+$")
MAX_UPLOAD_BYTES = {"photo": 10 * 1024 * 1024}
DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    """One file as Telegram stores it."""

    file_id: str
    file_unique_id: str
    kind: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def file_size(self) -> int:
        return len(self.content)

    def file_json(self) -> dict[str, Any]:
        """The ``File`` object getFile returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def document_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def photo_size_json(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "width": self.width,
            "height": self.height,
        }

    def sticker_json(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": self.file_size,
        }


class FileStore:
    """All files by file_id and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(
        self,
        kind: str,
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        """Register new content and mint ids for it."""
        number = next(self._counter)
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photo":
            extension = ".jpg"
        elif kind == "sticker":
            extension = ".webp"
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        stored = StoredFile(
            file_id=f"{_KIND_PREFIX.get(kind, 'BQAC')}{secrets.token_urlsafe(48)}",
            file_unique_id=f"AgAD{secrets.token_urlsafe(9)}",
            kind=kind,
            content=content,
            file_path=f"{_KIND_DIR.get(kind, 'documents')}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

    def resolve(self, value: InputFile | str, kind: str) -> StoredFile:
        """The file a send method refers to: an upload, a known file_id or an HTTP URL."""
        if isinstance(value, BufferedInputFile):
            return self._upload(kind, value.data, value.filename)
        if isinstance(value, InputFile):
            raise bad_request("wrong file identifier/HTTP URL specified")
        value = value.strip()
        if _URL.match(value):
            name = value.rsplit("/", 1)[-1] or None
            return self.add(kind, b"", file_name=name if kind != "photo" else None)
        stored = self._by_id.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if (stored.kind == "photo") != (kind == "photo"):
            raise bad_request(
                f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
            )
        return stored

    def _upload(self, kind: str, content: bytes, file_name: str | None) -> StoredFile:
        if not content:
            raise bad_request("file must be non-empty")
        if len(content) > MAX_UPLOAD_BYTES.get(kind, DEFAULT_MAX_UPLOAD):
            raise bad_request("file is too big")
        if kind == "photo":
            return self.add(kind, content, width=1280, height=960)
        return self.add(kind, content, file_name=file_name)
