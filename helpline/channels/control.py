"""Session control: what start, stop, pause, resume and log out do for each kind of provider.

Long-lived sessions (WhatsApp Web) are only flagged here; the runtime holding the channel's
lease carries the change out within a tick. Providers with a remote session (`connect` /
`disconnect`: WPPConnect, Cloud API credential check) are called right away, after the
request's own changes are committed, reporting through the channel link."""

from __future__ import annotations

from helpline.channels import service
from helpline.channels.models import Channel, ChannelState
from helpline.channels.providers import build_provider, provider_class
from helpline.channels.providers.base import ProviderError, is_long_lived
from helpline.channels.runtime import LOGOUT, ChannelRuntime
from helpline.db import HelplineSession


async def start(session: HelplineSession, runtime: ChannelRuntime, channel: Channel) -> None:
    channel.enabled, channel.session_command = True, None
    cls = provider_class(channel.provider)
    if is_long_lived(cls):
        service.record_state(session, channel, ChannelState.CONNECTING, None)
        await session.commit()
        runtime.wake()
    elif hasattr(cls, "connect"):
        service.record_state(session, channel, ChannelState.CONNECTING, None)
        await session.commit()
        await _remote(runtime, channel, "connect")
    else:
        service.record_state(session, channel, ChannelState.CONNECTED, None)
        await session.commit()


async def stop(
    session: HelplineSession, runtime: ChannelRuntime, channel: Channel, logout: bool = False
) -> None:
    """Stop the session (messages to it wait); `logout` also unlinks the number, so the next
    start asks for a new QR scan."""
    channel.enabled = False
    cls = provider_class(channel.provider)
    if is_long_lived(cls):
        channel.session_command = LOGOUT if logout else None
        if not logout:
            service.record_state(session, channel, ChannelState.DISCONNECTED, "stopped")
        await session.commit()
        runtime.wake()
        return
    service.record_state(
        session, channel, ChannelState.DISCONNECTED, "logged out" if logout else "stopped"
    )
    await session.commit()
    if hasattr(cls, "disconnect"):
        await _remote(runtime, channel, "disconnect", logout=logout)


async def pause(session: HelplineSession, channel: Channel) -> None:
    channel.paused = True
    if channel.status == ChannelState.CONNECTED:
        service.record_state(session, channel, ChannelState.PAUSED, None)
    else:
        service.announce(session, channel)
    await session.commit()


async def resume(session: HelplineSession, channel: Channel) -> None:
    channel.paused = False
    if channel.status == ChannelState.PAUSED:
        service.record_state(session, channel, ChannelState.CONNECTED, None)
    else:
        service.announce(session, channel)
    await session.commit()


async def _remote(
    runtime: ChannelRuntime, channel: Channel, action: str, logout: bool = False
) -> None:
    provider = build_provider(channel.provider, channel.config or {})
    link = runtime.link(channel.id)
    try:
        if action == "connect":
            await provider.connect(link)  # type: ignore[attr-defined]
        else:
            await provider.disconnect(link, logout=logout)  # type: ignore[attr-defined]
    except ProviderError as exc:
        await link.log("error", f"{action} failed: {exc.reason}")
        if action == "connect":
            await link.state(ChannelState.ERROR.value, exc.reason)
