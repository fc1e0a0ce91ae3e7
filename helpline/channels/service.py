"""Channels: the desk's WhatsApp numbers, their configuration and their session state.

Every state change and log line is stored (the channel's history and log) and announced to
admins and supervisors once the transaction commits."""

from __future__ import annotations

import io
import secrets
from collections.abc import Mapping
from typing import Any

import segno
from sqlalchemy import JSON, delete, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from helpline import outbox
from helpline.areas.models import Area
from helpline.auth.models import Role
from helpline.channels import hooks
from helpline.channels.crypto import needs_sealing
from helpline.channels.models import Channel, ChannelDrops, ChannelEvent, ChannelState
from helpline.channels.providers import MASK, config_fields, missing_config, provider_class
from helpline.channels.providers.base import is_long_lived
from helpline.channels.schemas import (
    ChannelCreate,
    ChannelLogOut,
    ChannelMetadata,
    ChannelOut,
    ChannelQrOut,
    ChannelStatusOut,
    ChannelUpdate,
)
from helpline.clock import utcnow
from helpline.contacts.service import normalize_phone
from helpline.errors import NotFound, Unprocessable
from helpline.realtime import queue_event, role_room

OVERSEERS = [role_room(Role.ADMIN.value), role_room(Role.SUPERVISOR.value)]
LOG_LEVELS = ("info", "warning", "error")


async def list_channels(session: AsyncSession) -> list[Channel]:
    return list(await session.scalars(select(Channel).order_by(Channel.id)))


async def get_channel(session: AsyncSession, channel_id: int) -> Channel:
    channel = await session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"Channel {channel_id} not found")
    return channel


async def default_channel(session: AsyncSession) -> Channel:
    channel = await session.scalar(
        select(Channel).order_by(Channel.is_default.desc(), Channel.id).limit(1)
    )
    if channel is None:
        raise NotFound("There is no channel yet: create one first")
    return channel


async def count_drops(session: AsyncSession, counts: Mapping[int, int]) -> None:
    """Add to today's count of messages each known-contacts-only channel did not keep.
    Two transactions creating the same day's row at once: one fails on the primary key
    and ingest runs its batch again (it retries on IntegrityError)."""
    today = utcnow().date()
    rows = await session.scalars(
        select(ChannelDrops)
        .where(ChannelDrops.channel_id.in_(counts), ChannelDrops.day == today)
        .with_for_update()
    )
    found = {row.channel_id: row for row in rows}
    for channel_id, count in counts.items():
        row = found.get(channel_id)
        if row is None:
            session.add(ChannelDrops(channel_id=channel_id, day=today, count=count))
        else:
            row.count += count


async def drops_today(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(
        select(ChannelDrops.channel_id, ChannelDrops.count).where(
            ChannelDrops.day == utcnow().date()
        )
    )
    return {channel_id: count for channel_id, count in rows}


def has_session(provider: str) -> bool:
    """Whether the provider has a session to start, stop and log out of (a QR to scan, a
    remote server): such channels start in their own step. Others (Cloud API) are ready
    once configured; `start` still checks them when they can be checked (`connect`)."""
    cls = provider_class(provider)
    return is_long_lived(cls) or bool(getattr(cls, "has_session", False))


async def create_channel(session: AsyncSession, data: ChannelCreate) -> Channel:
    await _check_area(session, data.default_area_id)
    first = await session.scalar(select(Channel.id).limit(1)) is None
    if data.is_default:
        await session.execute(update(Channel).values(is_default=False))
    channel = Channel(
        name=data.name.strip(),
        provider=data.provider,
        phone=_phone(data.phone),
        config=_with_defaults(data.provider, data.config),
        is_default=data.is_default or first,
        default_area_id=data.default_area_id,
        known_contacts_only=data.known_contacts_only,
        unknown_reply=data.unknown_reply,
        phone_region=data.phone_region,
        enabled=True,
    )
    session.add(channel)
    await session.flush()
    # Providers with a session start in their own step (a QR to scan, a server to reach);
    # the others are ready as soon as they are configured.
    initial = ChannelState.CONNECTING if has_session(data.provider) else ChannelState.CONNECTED
    record_state(session, channel, initial, None)
    return channel


async def update_channel(session: AsyncSession, channel: Channel, data: ChannelUpdate) -> Channel:
    fields = data.model_fields_set
    if "name" in fields and data.name is not None:
        channel.name = data.name.strip()
    if "phone" in fields:
        channel.phone = _phone(data.phone)
    if "default_area_id" in fields:
        await _check_area(session, data.default_area_id)
        channel.default_area_id = data.default_area_id
    if data.known_contacts_only is not None:
        channel.known_contacts_only = data.known_contacts_only
    if "unknown_reply" in fields:
        channel.unknown_reply = data.unknown_reply
    if "phone_region" in fields:
        channel.phone_region = data.phone_region
    if data.config is not None:
        merged = merge_config(channel.provider, channel.config or {}, data.config)
        missing = missing_config(channel.provider, merged)
        if missing:
            raise Unprocessable(f"config is missing {', '.join(missing)}")
        channel.config = merged
    if data.is_default:
        await session.execute(
            update(Channel).where(Channel.id != channel.id).values(is_default=False)
        )
        channel.is_default = True
    announce(session, channel)
    return channel


async def update_metadata(
    session: AsyncSession, channel: Channel, data: ChannelMetadata
) -> Channel:
    return await update_channel(
        session, channel, ChannelUpdate.model_validate(data.model_dump(exclude_unset=True))
    )


async def delete_channel(session: AsyncSession, channel: Channel) -> None:
    await hooks.CHANNEL_DELETING.run(session, channel)  # 409 when it has conversations
    if channel.is_default:
        other = await session.scalar(
            select(Channel).where(Channel.id != channel.id).order_by(Channel.id).limit(1)
        )
        if other is not None:
            other.is_default = True
    await session.execute(delete(ChannelEvent).where(ChannelEvent.channel_id == channel.id))
    await session.execute(delete(ChannelDrops).where(ChannelDrops.channel_id == channel.id))
    await session.delete(channel)


async def reseal_configs(session: AsyncSession) -> int:
    """Seal configs stored before encryption existed, and re-seal those sealed with a
    previous key (CONFIG_SECRET_PREVIOUS) with the current one."""
    raw = await session.execute(select(Channel.id, type_coerce(Channel.config, JSON)))
    stale = [channel_id for channel_id, config in raw if needs_sealing(config)]
    for channel_id in stale:
        channel = await session.get(Channel, channel_id)
        if channel is not None:
            flag_modified(channel, "config")
    return len(stale)


def merge_config(provider: str, stored: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    secrets = {f.key for f in config_fields(provider) if f.secret}
    merged = dict(stored)
    for key, value in sent.items():
        kept = key in secrets and (value in (None, "") or str(value).startswith(MASK))
        if not kept:
            merged[key] = value
    return merged


def _with_defaults(provider: str, config: dict[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for field in config_fields(provider):
        if field.generated:
            defaults[field.key] = secrets.token_urlsafe(24)
        elif field.default is not None:
            defaults[field.key] = field.default
    return {**defaults, **{k: v for k, v in config.items() if v not in (None, "")}}


def _phone(value: str | None) -> str | None:
    return normalize_phone(value) if value and value.strip() else None


async def _check_area(session: AsyncSession, area_id: int | None) -> None:
    if area_id is not None and await session.get(Area, area_id) is None:
        raise Unprocessable(f"Unknown area id {area_id}")


# --- state, QR and log: stored, then announced after commit ----------------------------


def record_state(
    session: AsyncSession, channel: Channel, state: ChannelState | str, detail: str | None
) -> bool:
    """Move the channel to `state`; False when nothing changed. A paused channel whose
    session is up shows `paused`: its messages keep arriving, its sends wait."""
    state = ChannelState(state)
    if state == ChannelState.CONNECTED and channel.paused:
        state = ChannelState.PAUSED
    detail = detail[:500] if detail else None
    if channel.status == state and channel.status_detail == detail and channel.status_changed_at:
        return False
    channel.status, channel.status_detail = state.value, detail
    channel.status_changed_at = utcnow()
    if state != ChannelState.QR:
        channel.qr = None
    session.add(
        ChannelEvent(channel_id=channel.id, kind="state", value=state.value, message=detail)
    )
    if state == ChannelState.CONNECTED:
        outbox.mark_dirty(session)  # messages held while it was away can go now
    announce(session, channel)
    if state == ChannelState.ERROR:
        queue_event(session, "session:error", {"channelId": channel.id, "error": detail}, OVERSEERS)
    return True


def record_qr(session: AsyncSession, channel: Channel, code: str) -> None:
    channel.qr = code[:2000]
    record_state(session, channel, ChannelState.QR, None)
    payload = {"channelId": channel.id, "qr": channel.qr, "svg": qr_svg(channel.qr)}
    queue_event(session, "session:qr", payload, OVERSEERS)


def record_loading(
    session: AsyncSession, channel: Channel, percent: int, message: str | None
) -> None:
    payload = {"channelId": channel.id, "percent": max(0, min(100, percent)), "message": message}
    queue_event(session, "session:loading", payload, OVERSEERS)


def record_log(session: AsyncSession, channel: Channel, level: str, message: str) -> ChannelEvent:
    level = level if level in LOG_LEVELS else "info"
    entry = ChannelEvent(
        channel_id=channel.id, kind="log", value=level, message=message[:1000], created_at=utcnow()
    )
    session.add(entry)
    return entry


def announce_log(session: AsyncSession, entry: ChannelEvent) -> None:
    """After a flush (the entry needs its id)."""
    out = ChannelLogOut(
        id=entry.id, level=entry.value, message=entry.message or "", created_at=entry.created_at
    )
    payload = {"channelId": entry.channel_id, "entry": out.model_dump(mode="json", by_alias=True)}
    queue_event(session, "channel:log", payload, OVERSEERS)


def announce(session: AsyncSession, channel: Channel) -> None:
    payload = {
        "channelId": channel.id,
        "status": channel.status,
        "detail": channel.status_detail,
        "channel": ChannelOut.of(channel).model_dump(mode="json", by_alias=True),
    }
    queue_event(session, "session:status", payload, OVERSEERS)


def status_out(channel: Channel) -> ChannelStatusOut:
    """The seed connector's status answer (GET .../status, and the sending API's events)."""
    out = ChannelOut.of(channel)
    return ChannelStatusOut(
        channel_id=out.id,
        status=out.status,
        status_detail=out.status_detail,
        phone=out.phone,
        name=out.name,
        qr=out.qr,
    )


def qr_out(channel: Channel) -> ChannelQrOut:
    qr = ChannelOut.of(channel).qr
    return ChannelQrOut(channel_id=channel.id, status=channel.status, qr=qr, svg=qr_svg(qr))


def qr_svg(code: str | None) -> str | None:
    if not code:
        return None
    out = io.BytesIO()
    # A standalone SVG (with its namespace), so the console can show it as an image.
    segno.make(code, error="m").save(out, kind="svg", xmldecl=False, nl=False, scale=5, border=2)
    return out.getvalue().decode()


async def history(
    session: AsyncSession, channel_id: int, kind: str, limit: int
) -> list[ChannelEvent]:
    rows = await session.scalars(
        select(ChannelEvent)
        .where(ChannelEvent.channel_id == channel_id, ChannelEvent.kind == kind)
        .order_by(ChannelEvent.id.desc())
        .limit(limit)
    )
    return list(rows)
