from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from helpline.auth.deps import AdminUser, SessionDep, SettingsDep
from helpline.db import RowId
from helpline.integrations import service
from helpline.integrations.models import DeliveryStatus
from helpline.integrations.queue import EVENTS, SUBSCRIBERS
from helpline.integrations.schemas import (
    DeliveryOut,
    EventsOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookSecretOut,
)

router = APIRouter(prefix="/api/integrations/webhooks", tags=["integrations"])


def _desk(request: Request, settings: SettingsDep) -> set[service.Host]:
    seen = [str(request.base_url), request.headers.get("host", "")]
    return service.desk_hosts(settings, [h for h in seen if h])


@router.get("/events", response_model=EventsOut, operation_id="listWebhookEvents")
async def list_events(_: AdminUser) -> EventsOut:
    return EventsOut(events=list(EVENTS))


@router.get("", response_model=list[WebhookOut], operation_id="listWebhooks")
async def list_webhooks(_: AdminUser, session: SessionDep) -> list[WebhookOut]:
    return await service.out(session, await service.list_subscriptions(session))


@router.post("", response_model=WebhookSecretOut, status_code=201, operation_id="createWebhook")
async def create_webhook(
    data: WebhookIn, request: Request, _: AdminUser, session: SessionDep, settings: SettingsDep
) -> WebhookSecretOut:
    sub, secret = await service.create(session, data, _desk(request, settings))
    await session.commit()
    SUBSCRIBERS.invalidate()
    (view,) = await service.out(session, [sub])
    return WebhookSecretOut(**view.model_dump(), secret=secret)


@router.get("/{webhook_id}", response_model=WebhookOut, operation_id="getWebhook")
async def get_webhook(webhook_id: RowId, _: AdminUser, session: SessionDep) -> WebhookOut:
    (view,) = await service.out(session, [await service.get_subscription(session, webhook_id)])
    return view


@router.patch("/{webhook_id}", response_model=WebhookOut, operation_id="updateWebhook")
async def update_webhook(
    webhook_id: RowId,
    data: WebhookPatch,
    request: Request,
    _: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
) -> WebhookOut:
    sub = await service.update(session, webhook_id, data, _desk(request, settings))
    await session.commit()
    SUBSCRIBERS.invalidate()
    (view,) = await service.out(session, [sub])
    return view


@router.post(
    "/{webhook_id}/secret", response_model=WebhookSecretOut, operation_id="rotateWebhookSecret"
)
async def rotate_secret(webhook_id: RowId, _: AdminUser, session: SessionDep) -> WebhookSecretOut:
    sub, secret = await service.rotate_secret(session, webhook_id)
    await session.commit()
    (view,) = await service.out(session, [sub])
    return WebhookSecretOut(**view.model_dump(), secret=secret)


@router.delete("/{webhook_id}", status_code=204, operation_id="deleteWebhook")
async def delete_webhook(webhook_id: RowId, _: AdminUser, session: SessionDep) -> Response:
    await service.remove(session, webhook_id)
    await session.commit()
    SUBSCRIBERS.invalidate()
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=list[DeliveryOut],
    operation_id="listWebhookDeliveries",
)
async def list_deliveries(
    webhook_id: RowId,
    _: AdminUser,
    session: SessionDep,
    status: DeliveryStatus | None = None,
    limit: int = Query(service.DELIVERIES_SHOWN, ge=1, le=200),
) -> list[DeliveryOut]:
    rows = await service.deliveries(session, webhook_id, status, limit)
    return [DeliveryOut.model_validate(d) for d in rows]


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryOut,
    operation_id="redeliverWebhook",
)
async def redeliver(
    webhook_id: RowId, delivery_id: RowId, _: AdminUser, session: SessionDep
) -> DeliveryOut:
    delivery = await service.redeliver(session, webhook_id, delivery_id)
    await session.commit()
    return DeliveryOut.model_validate(delivery)


@router.post(
    "/{webhook_id}/test", response_model=DeliveryOut, status_code=202, operation_id="testWebhook"
)
async def send_test(webhook_id: RowId, _: AdminUser, session: SessionDep) -> DeliveryOut:
    delivery = await service.send_test(session, webhook_id)
    await session.commit()
    return DeliveryOut.model_validate(delivery)
