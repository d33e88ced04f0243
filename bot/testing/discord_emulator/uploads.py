"""Uploads: multipart/form-data bodies, Discord's checks on attached files, and the attachment objects it returns."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.testing.discord_emulator.protocol import _error

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024  # default upload limit for bots (all files of one message together)
ATTACHMENTS_PER_MESSAGE = 10
BODY_CONTENT_TYPES = ("application/json", "multipart/form-data")


async def _read_multipart(request: web.Request) -> dict[str, Any]:
    """A multipart/form-data body as Discord reads it: the JSON in payload_json, and files[n] parts under "_files"."""
    payload: dict[str, Any] = {}
    files = []
    reader = await request.multipart()
    async for part in reader:
        if part.name == "payload_json":
            payload = json.loads(await part.text())
        else:
            data = bytes(await part.read())
            files.append({"name": part.name, "filename": part.filename, "content_type": part.headers.get("Content-Type", ""),
                          "size": len(data), "data": data})
    if files:
        payload["_files"] = files
    return payload


def body_content_type_problem(request: web.Request) -> web.Response | None:
    """Discord reads a body only as JSON or multipart/form-data; anything else is refused."""
    if request.method in ("POST", "PATCH", "PUT") and request.body_exists and request.content_type not in BODY_CONTENT_TYPES:
        return _error(400, 50109, "The request body contains invalid JSON.")
    return None


def attachment_problems(files: list[dict[str, Any]], described: list[dict[str, Any]] | None) -> web.Response | None:
    """Discord's checks on uploaded files: files[n] names, matching attachments entries, count and size limit."""
    if not files:
        return None
    if len(files) > ATTACHMENTS_PER_MESSAGE:
        return _error(400, 50035, "Invalid Form Body", {"files": f"{len(files)} files > {ATTACHMENTS_PER_MESSAGE}"})
    if sum(f["size"] for f in files) > ATTACHMENT_SIZE_LIMIT:
        return _error(413, 40005, "Request entity too large")
    ids = {str(a.get("id")) for a in described or []}
    for upload in files:
        name = upload["name"] or ""
        if not (name.startswith("files[") and name.endswith("]") and name[6:-1].isdigit()):
            return _error(400, 50035, "Invalid Form Body", {"files": f"unexpected form field {name!r}"})
        if described is not None and name[6:-1] not in ids:
            return _error(400, 50035, "Invalid Form Body", {"attachments": f"no attachment entry for {name}"})
        if not upload["filename"]:
            return _error(400, 50035, "Invalid Form Body", {"files": f"{name} has no filename"})
    return None


def stored_attachments(new_id: Callable[[], int], files: list[dict[str, Any]], described: list[dict[str, Any]] | None
                       ) -> list[dict[str, Any]]:
    """The attachment objects Discord returns for uploaded files (descriptions are the files' alt text)."""
    by_id = {str(a.get("id")): a for a in described or []}
    stored = []
    for upload in files:
        meta = by_id.get(upload["name"][6:-1], {})
        attachment = {
            "id": str(new_id()),
            "filename": meta.get("filename") or upload["filename"],
            "size": upload["size"],
            "url": f"https://cdn.discordapp.com/attachments/emulator/{upload['filename']}",
            "proxy_url": f"https://media.discordapp.net/attachments/emulator/{upload['filename']}",
            "content_type": upload["content_type"] or "application/octet-stream",
        }
        if meta.get("description"):
            attachment["description"] = meta["description"]
        if upload["data"].startswith(b"\x89PNG\r\n\x1a\n") and len(upload["data"]) >= 24:
            attachment["width"] = int.from_bytes(upload["data"][16:20], "big")
            attachment["height"] = int.from_bytes(upload["data"][20:24], "big")
        stored.append(attachment)
    return stored


class UploadsMixin:
    """Checks and stores the files of a message (mixed into DiscordEmulator)."""

    def _check_attachments(self, body: dict[str, Any], message_data: dict[str, Any]) -> web.Response | None:
        refused = attachment_problems(body.get("_files") or [], message_data.get("attachments"))
        if refused is not None:
            self.attachment_refusals.append(refused.status)
        return refused

    def _attach(self, message: dict[str, Any], body: dict[str, Any], message_data: dict[str, Any]) -> None:
        files = body.get("_files") or []
        if files:
            message["attachments"] = stored_attachments(self.new_id, files, message_data.get("attachments"))
            self.uploads.update({a["id"]: f["data"] for a, f in zip(message["attachments"], files, strict=True)})

    def _reattach(self, message: dict[str, Any], body: dict[str, Any]) -> None:
        """An edit's attachments: its `attachments` list names the ones that stay (by id) and describes the new
        files[n]; the rest are removed. An edit that names none and uploads nothing leaves them as they were."""
        described = body.get("attachments")
        files = body.get("_files") or []
        if described is None and not files:
            return
        staying = {str(a.get("id")) for a in described} if described is not None else None
        kept = [a for a in message.get("attachments") or [] if staying is None or a["id"] in staying]
        added = stored_attachments(self.new_id, files, described) if files else []
        self.uploads.update({a["id"]: f["data"] for a, f in zip(added, files, strict=True)})
        message["attachments"] = kept + added
