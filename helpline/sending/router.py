"""The sending API: send to a phone number on a channel, list the channel's messages, and
follow its status as Server-Sent Events.

Registered before the channels router: its `POST /api/channels/{id}/{action}` would
otherwise take `messages` for an action."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile

from helpline.auth.deps import DatabaseDep, Overseer, SessionDep, SettingsDep
from helpline.auth.models import User
from helpline.auth.ratelimit import rate_limit
from helpline.channels.models import Channel
from helpline.channels.service import get_channel
from helpline.config import Settings
from helpline.contacts.fields import parse_phone
from helpline.db import HelplineSession, RowId
from helpline.errors import UnsupportedMedia
from helpline.media import service as media
from helpline.messages.schemas import MessageOut
from helpline.sending import events, idempotency, remote, service
from helpline.sending.models import KEY_LENGTH
from helpline.sending.schemas import (
    ChannelMessageOut,
    ChannelMessagesOut,
    SendFileForm,
    SendIn,
    SendOut,
    request_body_spec,
)

router = APIRouter(prefix="/api/channels", tags=["sending"])

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=idempotency.HEADER,
        min_length=1,
        max_length=KEY_LENGTH,
        description="send again with the same key (and body) to get the first answer back",
    ),
]


@dataclass
class Upload:
    """A multipart send: the fields and the file's bytes."""

    fields: SendFileForm
    data: bytes
    filename: str | None


@router.post(
    "/{channel_id}/messages",
    response_model=SendOut,
    status_code=201,
    operation_id="sendChannelMessage",
    dependencies=[Depends(rate_limit("send"))],
    openapi_extra=request_body_spec(),
    responses={
        409: {"description": "The 24-hour window is closed (send a template), or a key is busy"},
        413: {"description": "The file is larger than MAX_UPLOAD_MB"},
        415: {"description": "This type of file is not allowed (checked by content)"},
        422: {"description": "Not a phone number, a bad body, or a key reused for another body"},
    },
)
async def send_message(
    channel_id: RowId,
    request: Request,
    user: Overseer,
    session: SessionDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Send to a phone number: a text, a file (uploaded as multipart, or by URL) or an
    approved template. The customer and their conversation are found, or added and opened;
    the message is queued like an operator's reply."""
    body = await _read_body(request, settings)
    owner = idempotency.owner_of(user)
    request_hash = idempotency.fingerprint({"channel": channel_id, **_describe(body)})
    if key is not None:
        stored = await idempotency.find(session, owner, key, request_hash)
        if stored is not None:
            return JSONResponse(
                stored.response,
                status_code=stored.status_code,
                headers={idempotency.REPLAYED_HEADER: "true"},
            )
    channel = await get_channel(session, channel_id)
    out, stored_path = await _send(session, user, settings, channel, body)
    response = out.model_dump(mode="json", by_alias=True)
    if key is not None:
        idempotency.remember(session, owner, key, request_hash, 201, response)
    try:
        await session.commit()
    except BaseException as exc:
        if stored_path:
            media.remove_files(settings.upload_dir, [stored_path])
        if key is not None and isinstance(exc, IntegrityError):
            await session.rollback()
            if await idempotency.find(session, owner, key, request_hash) is not None:
                raise idempotency.in_flight(key) from None
        raise
    return JSONResponse(response, status_code=201)


async def _read_body(request: Request, settings: Settings) -> SendIn | Upload:
    """JSON or multipart, validated like a declared body (422 with each field's problem)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "multipart/form-data":
            return await _read_form(request, settings)
        if content_type in ("application/json", ""):
            return SendIn.model_validate_json(await request.body() or b"null")
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None
    raise UnsupportedMedia("Send the message as application/json, or a file as multipart/form-data")


async def _read_form(request: Request, settings: Settings) -> Upload:
    form = await request.form(max_files=1, max_fields=10)
    file = form.get("file")
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    fields = SendFileForm.model_validate(values)
    if not isinstance(file, UploadFile):
        raise RequestValidationError(
            [{"loc": ("body", "file"), "msg": "Field required", "type": "missing"}]
        )
    limit = media.limit_bytes(settings.max_upload_mb)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise media.too_big(file.size or len(data), settings.max_upload_mb)
    return Upload(fields, data, file.filename)


def _describe(body: SendIn | Upload) -> dict[str, Any]:
    """What the request asks, for its idempotency fingerprint."""
    if isinstance(body, SendIn):
        return {"json": body.model_dump(mode="json")}
    return {
        "form": body.fields.model_dump(mode="json"),
        "file": hashlib.sha256(body.data).hexdigest(),
        "filename": body.filename,
    }


async def _send(
    session: HelplineSession,
    user: User,
    settings: Settings,
    channel: Channel,
    body: SendIn | Upload,
) -> tuple[SendOut, str | None]:
    """The message queued, and the file stored for it (removed by the caller on failure)."""
    stored_path: str | None = None
    region = channel.phone_region or settings.default_phone_region
    if isinstance(body, Upload):
        inspected = media.inspect(body.data, settings.max_upload_mb)
        to = await service.recipient(session, user, channel, body.fields.phone, region)
        sent = await service.send_file(
            session, user, to, inspected, settings.upload_dir, body.filename, body.fields.caption
        )
        msg, stored_path = sent.message, sent.stored_path
    elif body.media is not None:
        to_phone = parse_phone(body.phone, region, field="phone")  # refused before any fetch
        fetched = await remote.fetch(body.media.url, settings.max_upload_mb)
        inspected = media.inspect(fetched.data, settings.max_upload_mb)
        to = await service.recipient(session, user, channel, to_phone, region)
        name = body.media.filename or fetched.filename
        sent = await service.send_file(
            session, user, to, inspected, settings.upload_dir, name, body.media.caption
        )
        msg, stored_path = sent.message, sent.stored_path
    else:
        to = await service.recipient(session, user, channel, body.phone, region)
        if body.template is not None:
            msg = await service.send_template(session, user, to, body.template)
        else:
            assert body.text is not None  # SendIn holds exactly one
            msg = await service.send_text(session, user, to, body.text)
    out = SendOut(
        message=MessageOut.model_validate(msg),
        conversation_id=to.conversation.id,
        contact_id=to.contact.id,
        phone=to.phone,
        conversation_opened=to.opened,
    )
    return out, stored_path


@router.get(
    "/{channel_id}/messages",
    response_model=ChannelMessagesOut,
    operation_id="listChannelMessages",
    dependencies=[Depends(rate_limit("messages"))],
)
async def list_channel_messages(
    channel_id: RowId,
    user: Overseer,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[RowId | None, Query(description="only messages older than this id")] = None,
    phone: Annotated[
        str | None, Query(min_length=1, max_length=40, description="only this customer's")
    ] = None,
) -> ChannelMessagesOut:
    """The channel's messages, newest first (private notes are not listed)."""
    channel = await get_channel(session, channel_id)
    region = channel.phone_region or settings.default_phone_region
    wanted = parse_phone(phone, region) if phone is not None else None
    rows = await service.list_messages(session, user, channel_id, limit, before, wanted)
    items = [
        ChannelMessageOut.model_validate(
            {**MessageOut.model_validate(m).model_dump(), "phone": customer_phone}
        )
        for m, customer_phone in rows
    ]
    next_before = items[-1].id if len(items) == limit else None
    return ChannelMessagesOut(items=items, next_before=next_before)


@router.get(
    "/{channel_id}/events",
    response_class=StreamingResponse,
    operation_id="channelEvents",
    dependencies=[Depends(rate_limit("status"))],
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "`status` (as GET .../status) at once and on each change, `qr` "
            "(as GET .../qr) for each new code, `deleted` if the channel goes; a comment "
            "line every 15 s",
        }
    },
)
async def channel_events(
    channel_id: RowId,
    _user: Overseer,
    session: SessionDep,
    db: DatabaseDep,
    seconds: Annotated[
        int | None,
        Query(ge=1, le=86_400, description="end the stream after this long (default: never)"),
    ] = None,
) -> StreamingResponse:
    """The channel's status and QR code as Server-Sent Events."""
    await get_channel(session, channel_id)
    # The stream reads with short sessions of its own: this one must not hold a database
    # connection for as long as the client listens.
    await session.close()
    return StreamingResponse(
        events.stream(db, channel_id, seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
