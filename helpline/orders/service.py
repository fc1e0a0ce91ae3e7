"""Orders: creating them from catalog products, the status flow with its history, the
stock they take and give back, who sees which, and the customer hooks.

Who sees an order follows who sees its contact (`customers.directory.visible_contacts`):
admins and supervisors all, agents those of the customers they deal with. Admins,
supervisors and SALES agents create orders; only admins delete them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import Role, User
from helpline.auth.service import user_area_ids
from helpline.catalog.models import Product
from helpline.catalog.service import announce_product
from helpline.channels.models import Channel
from helpline.contacts.models import Contact
from helpline.customers.directory import audience, visible_contacts
from helpline.errors import Conflict, Forbidden, NotFound, Unprocessable
from helpline.orders import notify
from helpline.orders.models import (
    FIRST_NUMBER,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
)
from helpline.orders.schemas import (
    OrderDetail,
    OrderIn,
    OrderOut,
    OrderPatch,
    OrderQuery,
    StatusChangeOut,
)
from helpline.realtime import queue_event

CREATORS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.SALES})
S = OrderStatus
# The flow: one step forward at a time; cancelling is possible until the order ships.
NEXT: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    S.PENDING: (S.CONFIRMED, S.CANCELLED),
    S.CONFIRMED: (S.PREPARING, S.CANCELLED),
    S.PREPARING: (S.SHIPPED, S.CANCELLED),
    S.SHIPPED: (S.DELIVERED,),
    S.DELIVERED: (),
    S.CANCELLED: (),
}
# Statuses in which the order holds the stock it took.
HOLDING = frozenset({S.CONFIRMED, S.PREPARING, S.SHIPPED})


class OutOfStock(Conflict):
    code = "out_of_stock"


class InvalidTransition(Conflict):
    code = "invalid_transition"


# --- reading --------------------------------------------------------------------------


def order_out(order: Order) -> OrderOut:
    return OrderOut.model_validate(
        {
            **{k: getattr(order, k) for k in ("id", "number", "channel_id", "currency")},
            **{k: getattr(order, k) for k in ("total", "note", "lines", "contact", "status")},
            "next_statuses": NEXT[S(order.status)],
            "created_by": order.created_by,
            "created_at": order.created_at,
            "updated_at": order.updated_at,
        }
    )


async def order_detail(session: AsyncSession, order: Order) -> OrderDetail:
    changes = await session.scalars(
        select(OrderStatusChange)
        .where(OrderStatusChange.order_id == order.id)
        .order_by(OrderStatusChange.at, OrderStatusChange.id)
    )
    history = [StatusChangeOut.model_validate(c) for c in changes]
    return OrderDetail(**order_out(order).model_dump(), history=history)


def _wire(model: OrderOut) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return data


async def _visible(session: AsyncSession, user: User) -> Any:
    return visible_contacts(user, await user_area_ids(session, user.id))


async def access_order(session: AsyncSession, user: User, order_id: int) -> Order:
    """The order if the user may see its customer; one they may not see does not exist."""
    order = await session.scalar(
        select(Order)
        .join(Contact, Contact.id == Order.contact_id)
        .where(Order.id == order_id, await _visible(session, user))
    )
    if order is None:
        raise NotFound(f"Order {order_id} not found")
    return order


async def list_orders(
    session: AsyncSession, user: User, query: OrderQuery
) -> tuple[list[Order], int]:
    where = [await _visible(session, user)]
    if query.status is not None:
        where.append(Order.status == query.status.value)
    if query.contact_id is not None:
        where.append(Order.contact_id == query.contact_id)
    base = select(Order).join(Contact, Contact.id == Order.contact_id).where(*where)
    rows = await session.scalars(
        base.order_by(Order.created_at.desc(), Order.id.desc())
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    )
    total = await session.scalar(
        select(func.count())
        .select_from(Order)
        .join(Contact, Contact.id == Order.contact_id)
        .where(*where)
    )
    return list(rows.unique()), int(total or 0)


# --- creating -------------------------------------------------------------------------


async def _products(session: AsyncSession, data: OrderIn) -> dict[int, Product]:
    wanted = {line.product_id for line in data.lines}
    found = {p.id: p for p in await session.scalars(select(Product).where(Product.id.in_(wanted)))}
    for index, line in enumerate(data.lines):
        product = found.get(line.product_id)
        if product is None:
            raise Unprocessable(f"Line {index + 1}: product {line.product_id} does not exist")
        if not product.active:
            raise Unprocessable(
                f"Line {index + 1}: {product.name} ({product.sku}) is not on sale "
                "(the product is inactive)"
            )
    currencies = sorted({p.currency for p in found.values()})
    if len(currencies) > 1:
        raise Unprocessable(
            f"An order is in one currency; these products are in {', '.join(currencies)}"
        )
    return found


async def create_order(session: AsyncSession, user: User, data: OrderIn) -> Order:
    if user.role not in CREATORS:
        raise Forbidden("Only admins, supervisors and sales agents create orders")
    contact = await session.scalar(
        select(Contact).where(Contact.id == data.contact_id, await _visible(session, user))
    )
    if contact is None:
        raise Unprocessable(f"contactId: contact {data.contact_id} does not exist")
    if await session.get(Channel, data.channel_id) is None:
        raise Unprocessable(f"channelId: channel {data.channel_id} does not exist")
    products = await _products(session, data)
    order = Order(
        contact_id=contact.id,
        channel_id=data.channel_id,
        status=S.PENDING.value,
        note=data.note,
        created_by_id=user.id,
        currency=next(iter(products.values())).currency,
    )
    order.contact, order.created_by = contact, user
    for index, line in enumerate(data.lines):
        product = products[line.product_id]
        price = Decimal(product.price)
        order.lines.append(
            OrderLine(
                position=index,
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                quantity=line.quantity,
                unit_price=price,
                line_total=price * line.quantity,
            )
        )
    order.total = sum((ln.line_total for ln in order.lines), Decimal("0.00"))
    session.add(order)
    await session.flush()
    order.number = FIRST_NUMBER + order.id  # unique as the id, short enough to say aloud
    await _record(session, order, user, None)
    await announce(session, order)
    return order


# --- the status flow ------------------------------------------------------------------


async def update_order(session: AsyncSession, user: User, order_id: int, data: OrderPatch) -> Order:
    order = await access_order(session, user, order_id)
    if "note" in data.model_fields_set:
        order.note = data.note
    if data.status is not None and data.status != order.status:
        await _move(session, user, order, data.status)
    await session.flush()
    await announce(session, order)
    return order


def _refuse(order: Order, to: OrderStatus) -> Conflict:
    now = S(order.status)
    allowed = NEXT[now]
    if not allowed:
        return InvalidTransition(
            f"Order #{order.number} is {now}: its status cannot change any more"
        )
    options = " or ".join(allowed)
    return InvalidTransition(
        f"Order #{order.number} is {now}; it cannot go to {to}. From {now} it can only go to "
        f"{options}"
    )


async def _move(session: AsyncSession, user: User, order: Order, to: OrderStatus) -> None:
    before = S(order.status)
    if to not in NEXT[before]:
        raise _refuse(order, to)
    # Conditional: of two people moving the same order at once, one wins; the other is told.
    moved = await session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == before.value)
        .values(status=to.value)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"Order #{order.number} was changed by someone else meanwhile; reload it")
    if to == S.CONFIRMED:
        await _take_stock(session, order)
    elif to == S.CANCELLED and before in HOLDING:
        await _give_back(session, order)
    order.status = to.value  # the row already says so; this keeps the object and the audit
    await _record(session, order, user, before)


def _per_product(lines: list[OrderLine]) -> dict[int, int]:
    wanted: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.product_id is not None:
            wanted[line.product_id] += line.quantity
    return wanted


async def _take_stock(session: AsyncSession, order: Order) -> None:
    """Take the units of products whose stock is tracked. Each take is one conditional
    UPDATE (`stock >= wanted`): the database decides which of two racing orders gets the
    last unit, and the loser's whole transaction rolls back (its status included)."""
    taken: set[int] = set()
    for product_id, quantity in sorted(_per_product(order.lines).items()):
        result = await session.execute(
            update(Product)
            .where(Product.id == product_id, Product.stock.is_not(None), Product.stock >= quantity)
            .values(stock=Product.stock - quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            taken.add(product_id)
            continue
        product = await session.get(Product, product_id, populate_existing=True)
        if product is None or product.stock is None:
            continue  # not tracked (or gone from the catalog): nothing to take
        raise OutOfStock(
            f"Not enough stock of {product.name} ({product.sku}) to confirm order "
            f"#{order.number}: {product.stock} left, the order needs {quantity}"
        )
    for line in order.lines:
        line.stock_taken = line.product_id in taken
    await _announce_products(session, taken)


async def _give_back(session: AsyncSession, order: Order) -> None:
    held = _per_product([line for line in order.lines if line.stock_taken])
    for product_id, quantity in held.items():
        await session.execute(
            update(Product)
            .where(Product.id == product_id, Product.stock.is_not(None))
            .values(stock=Product.stock + quantity)
            .execution_options(synchronize_session=False)
        )
    for line in order.lines:
        line.stock_taken = False
    await _announce_products(session, set(held))


async def _announce_products(session: AsyncSession, product_ids: set[int]) -> None:
    """The catalog's consoles show stock: they hear of each change."""
    for product_id in sorted(product_ids):
        product = await session.get(Product, product_id, populate_existing=True)
        if product is not None:
            announce_product(session, product)


async def _record(
    session: AsyncSession, order: Order, user: User, before: OrderStatus | None
) -> None:
    """Keep the change, and tell the customer when the business wants it told."""
    message, notice = await notify.tell_customer(session, order)
    session.add(
        OrderStatusChange(
            order_id=order.id,
            from_status=before.value if before else None,
            to_status=order.status,
            user_id=user.id,
            message_id=message.id if message else None,
            notice=notice,
        )
    )


# --- deleting and announcing ----------------------------------------------------------


async def delete_order(session: AsyncSession, user: User, order_id: int) -> None:
    order = await access_order(session, user, order_id)
    if user.role != Role.ADMIN:
        raise Forbidden("Only admins delete orders; cancel it instead")
    if S(order.status) in HOLDING:  # it never left: its units are back on the shelf
        await _give_back(session, order)
    rooms = await audience(session, order.contact)
    await session.delete(order)
    queue_event(session, "order:deleted", {"orderId": order.id}, rooms)


async def announce(session: AsyncSession, order: Order) -> None:
    await session.flush()
    queue_event(
        session,
        "order:updated",
        {"order": _wire(order_out(order))},
        await audience(session, order.contact),
    )


# --- the customer's orders when contacts merge, are exported or erased (customers hooks)


async def move_orders(session: AsyncSession, kept_id: int, merged_id: int) -> None:
    """Merging contacts: the merged one's orders become the kept one's."""
    await session.execute(
        update(Order)
        .where(Order.contact_id == merged_id)
        .values(contact_id=kept_id)
        .execution_options(synchronize_session=False)
    )


async def count_orders(session: AsyncSession, contact_id: int, counts: dict[str, int]) -> None:
    count = await session.scalar(
        select(func.count()).select_from(Order).where(Order.contact_id == contact_id)
    )
    counts["orders"] = int(count or 0)


async def export_orders(session: AsyncSession, contact_id: int, export: dict[str, Any]) -> None:
    orders = (await session.scalars(select(Order).where(Order.contact_id == contact_id))).unique()
    export["orders"] = [_wire(await order_detail(session, order)) for order in orders]
