"""Media over HTTP: a message's file (never public), a new try at a failed download, and
files operators send from the composer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import FileResponse

from helpline.auth.deps import CurrentUser, SessionDep, SettingsDep
from helpline.auth.ratelimit import rate_limit
from helpline.db import RowId
from helpline.errors import Conflict, NotFound
from helpline.media import fetcher, service
from helpline.media.models import MediaStatus
from helpline.messages.schemas import MessageOut

router = APIRouter(tags=["media"])

CAPTION_MAX = 1024  # WhatsApp's limit for a caption


@router.get(
    "/api/media/{media_id}",
    response_class=FileResponse,
    operation_id="getMedia",
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file"}},
)
async def get_media(
    media_id: RowId,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    download: Annotated[bool, Query(description="offer it as a download")] = False,
) -> FileResponse:
    media = await service.access_media(session, user, media_id)
    if media.status != MediaStatus.READY:
        reason = f": {media.error}" if media.error else ""
        raise Conflict(f"This file is not available ({media.status}{reason})")
    path = service.file_path(settings.upload_dir, media)
    if not path.is_file():
        raise NotFound("This file is missing from storage")
    attachment = download or media.kind == "document"
    return FileResponse(
        path,
        media_type=media.mime_type or "application/octet-stream",
        filename=service.download_name(media),
        content_disposition_type="attachment" if attachment else "inline",
        headers={
            # The type is the one found in the content: browsers must not guess another.
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=86400",
        },
    )


@router.post("/api/media/{media_id}/retry", response_model=MessageOut, operation_id="retryMedia")
async def retry_media(media_id: RowId, user: CurrentUser, session: SessionDep) -> MessageOut:
    msg = await service.retry(session, user, media_id)
    await session.commit()
    fetcher.notify()
    return MessageOut.model_validate(msg)


@router.post(
    "/api/conversations/{conv_id}/media",
    response_model=MessageOut,
    status_code=201,
    operation_id="sendMedia",
    dependencies=[Depends(rate_limit("send"))],
    responses={
        409: {"description": "The conversation is closed, or the reply window is"},
        413: {"description": "The file is larger than MAX_UPLOAD_MB"},
        415: {"description": "This type of file is not allowed (checked by content)"},
    },
)
async def send_media(
    conv_id: RowId,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="the file; its type is found in its content")],
    caption: Annotated[str, Form(max_length=CAPTION_MAX)] = "",
    quoted_id: Annotated[RowId | None, Form(alias="quotedId")] = None,
) -> MessageOut:
    storage = service.MediaStorage.of(settings)
    inspected = service.inspect(await _read(file, storage.max_upload_mb), storage.max_upload_mb)
    sent = await service.send_file(
        session, user, conv_id, inspected, storage.upload_dir, file.filename, caption, quoted_id
    )
    try:
        await session.commit()
    except BaseException:
        service.remove_files(storage.upload_dir, [sent.stored_path])
        raise
    return MessageOut.model_validate(sent.message)


async def _read(file: UploadFile, max_upload_mb: int) -> bytes:
    """The upload, refused as soon as it is known to be too big."""
    limit = service.limit_bytes(max_upload_mb)
    if file.size is not None and file.size > limit:
        raise service.too_big(file.size, max_upload_mb)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise service.too_big(file.size or len(data), max_upload_mb)
    return data
