"""Media test helpers: a fake Graph API that serves and receives files, and small calls."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy import select

from helpline.media.models import MediaFile
from tests.cloud.helpers import ACCESS_TOKEN
from tests.conftest import App, eventually, serve_local

PHONE = "+5491155550101"


@dataclass
class FakeGraph:
    """The Graph API's media endpoints: media ids resolve to URLs on this server that
    answer with `files[media_id]` (only with the bearer token); uploads and sends are
    recorded. `lookup_failures` answers the next id lookups with errors."""

    url: str = ""
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    lookup_failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    downloads: list[dict[str, str]] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {ACCESS_TOKEN}"

    async def lookup(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        self.lookups.append(media_id)
        if not self.authorized(request):
            return web.json_response({"error": {"code": 190, "message": "bad token"}}, status=401)
        if self.lookup_failures:
            status, answer = self.lookup_failures.pop(0)
            return web.json_response(answer, status=status)
        if media_id not in self.files:
            error = {"code": 100, "message": "Unsupported get request"}
            return web.json_response({"error": error}, status=400)
        data, mime = self.files[media_id]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/files/{media_id}",
                "mime_type": mime,
                "file_size": len(data),
                "id": media_id,
            }
        )

    async def download(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        self.downloads.append({"id": media_id, "auth": request.headers.get("Authorization", "")})
        if not self.authorized(request):
            return web.Response(status=401)
        data, mime = self.files[media_id]
        return web.Response(body=data, content_type=mime.split(";")[0])

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        self.uploads.append(
            {
                "path": request.path,
                "auth": request.headers.get("Authorization", ""),
                "messaging_product": form.get("messaging_product"),
                "type": form.get("type"),
                "filename": upload.filename,
                "content_type": upload.content_type,
                "data": upload.file.read(),
            }
        )
        return web.json_response({"id": f"uploaded-{len(self.uploads)}"})

    async def message(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.sent.append(body)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": f"wamid.SENT{len(self.sent)}"}],
            }
        )


async def start_graph() -> tuple[FakeGraph, web.AppRunner]:
    graph = FakeGraph()
    server = web.Application()
    server.router.add_post("/{version}/{number}/messages", graph.message)
    server.router.add_post("/{version}/{number}/media", graph.upload)
    server.router.add_get("/files/{media_id}", graph.download)
    server.router.add_get("/{version}/{media_id}", graph.lookup)
    graph.url, runner = await serve_local(server)
    return graph, runner


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def customer_sends(
    admin: httpx.AsyncClient, channel_id: int = 1, phone: str = PHONE, **body: Any
) -> httpx.Response:
    return await admin.post(f"/api/sandbox/{channel_id}/inbound", json={"from": phone, **body})


async def customer_file(
    admin: httpx.AsyncClient, kind: str, data: bytes, text: str = "", **media: Any
) -> dict[str, Any]:
    response = await customer_sends(
        admin, text=text, media={"kind": kind, "dataBase64": b64(data), **media}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def upload(
    client: httpx.AsyncClient,
    conv_id: int,
    data: bytes,
    filename: str = "file.bin",
    caption: str | None = None,
    quoted_id: int | None = None,
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    form: dict[str, str] = {}
    if caption is not None:
        form["caption"] = caption
    if quoted_id is not None:
        form["quotedId"] = str(quoted_id)
    return await client.post(
        f"/api/conversations/{conv_id}/media",
        files={"file": (filename, data, content_type)},
        data=form,
    )


async def media_row(app: App, media_id: int) -> MediaFile:
    async with app.db.sessionmaker() as session:
        media = await session.get(MediaFile, media_id)
        assert media is not None
        return media


async def media_rows(app: App) -> list[MediaFile]:
    async with app.db.sessionmaker() as session:
        return list(await session.scalars(select(MediaFile).order_by(MediaFile.id)))


async def wait_for_status(app: App, media_id: int, status: str) -> MediaFile:
    async def check() -> MediaFile | None:
        media = await media_row(app, media_id)
        return media if media.status == status else None

    found: MediaFile = await eventually(check, within=15)
    return found


def stored_files(upload_dir: Path) -> list[Path]:
    return sorted(p for p in upload_dir.rglob("*") if p.is_file())
