"""Orders over HTTP. Everyone reads and moves the orders of the customers they may see;
admins, supervisors and sales agents create them; admins delete them and set the
customer's status messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from helpline.auth.deps import AdminUser, CurrentUser, SessionDep
from helpline.db import RowId
from helpline.messages.schemas import Page
from helpline.orders import notify, service
from helpline.orders.schemas import (
    OrderDetail,
    OrderIn,
    OrderOut,
    OrderPatch,
    OrderQuery,
    StatusMessageIn,
    StatusMessageOut,
)

router = APIRouter(prefix="/api/orders", tags=["orders"])

REFUSED: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "The status cannot go there from where it is (`invalid_transition`), "
        "or a product has not enough stock to confirm (`out_of_stock`): nothing changed"
    },
}


@router.get("", response_model=Page[OrderOut], operation_id="listOrders")
async def list_orders(
    user: CurrentUser, session: SessionDep, query: Annotated[OrderQuery, Query()]
) -> Page[OrderOut]:
    """The orders of the customers the user may see, newest first."""
    items, total = await service.list_orders(session, user, query)
    return Page(
        items=[service.order_out(o) for o in items],
        total=total,
        page=query.page,
        page_size=query.page_size,
    )


@router.post("", response_model=OrderDetail, status_code=201, operation_id="createOrder")
async def create_order(data: OrderIn, user: CurrentUser, session: SessionDep) -> OrderDetail:
    """A pending order of catalog products at today's prices."""
    order = await service.create_order(session, user, data)
    detail = await service.order_detail(session, order)
    await session.commit()
    return detail


@router.get(
    "/status-messages",
    response_model=list[StatusMessageOut],
    operation_id="listOrderStatusMessages",
)
async def list_status_messages(_user: AdminUser, session: SessionDep) -> list[StatusMessageOut]:
    """What the customer is told on each status, and whether they are told. Placeholders:
    {number}, {name}, {total}, {currency}, {status}."""
    return await notify.list_messages(session)


@router.put(
    "/status-messages",
    response_model=list[StatusMessageOut],
    operation_id="saveOrderStatusMessages",
)
async def save_status_messages(
    data: list[StatusMessageIn], _user: AdminUser, session: SessionDep
) -> list[StatusMessageOut]:
    """Set the texts and switches of the statuses sent; the others stay as they are."""
    out = await notify.save_messages(session, data)
    await session.commit()
    return out


@router.get("/{order_id}", response_model=OrderDetail, operation_id="getOrder")
async def get_order(order_id: RowId, user: CurrentUser, session: SessionDep) -> OrderDetail:
    """The order with its status history (who, when, from, to), oldest first."""
    order = await service.access_order(session, user, order_id)
    return await service.order_detail(session, order)


@router.patch(
    "/{order_id}", response_model=OrderDetail, operation_id="updateOrder", responses=REFUSED
)
async def update_order(
    order_id: RowId, data: OrderPatch, user: CurrentUser, session: SessionDep
) -> OrderDetail:
    """Change the note, or move the status one step (confirming takes the stock,
    cancelling a confirmed order gives it back)."""
    order = await service.update_order(session, user, order_id, data)
    detail = await service.order_detail(session, order)
    await session.commit()
    return detail


@router.delete("/{order_id}", status_code=204, operation_id="deleteOrder")
async def delete_order(order_id: RowId, user: CurrentUser, session: SessionDep) -> Response:
    await service.delete_order(session, user, order_id)
    await session.commit()
    return Response(status_code=204)
