"""The contact directory: who sees which contact, reading, writing, merging and the change
log. It reads conversations (who may see a customer follows the conversations they may
see), so it sits above `conversations`; the inbound upsert in `service.py` stays below."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, delete, exists, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.auth.models import AGENT_ROLES, Role, User
from helpline.auth.service import user_area_ids
from helpline.clock import utcnow
from helpline.contacts.fields import attribute_value, parse_phone, phone_search_terms, wire_value
from helpline.contacts.models import (
    Contact,
    ContactAttribute,
    ContactAttributeValue,
    ContactEvent,
    ContactStatus,
    ContactTag,
    NameSource,
)
from helpline.contacts.schemas import (
    ContactFields,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactQuery,
)
from helpline.contacts.service import normalize_external_id
from helpline.conversations.access import OVERSEER_ROLES, visible_filter
from helpline.conversations.events import announce_conversation
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.conversations.service import open_key
from helpline.customers.hooks import CONTACT_CHANGED, CONTACTS_MERGING
from helpline.errors import Conflict, DomainError, NotFound, Unprocessable
from helpline.realtime import area_room, queue_event, role_room, user_room

log = logging.getLogger(__name__)

# Plain fields copied between the API and the row, in the order the change log lists them.
PLAIN_FIELDS = (
    "phone",
    "external_id",
    "name",
    "email",
    "document",
    "company",
    "notes",
    "status_id",
    "owner_id",
    "preferred_area_id",
)


# --- who sees what ----------------------------------------------------------------------


def visible_contacts(user: User, area_ids: list[int]) -> ColumnElement[bool]:
    """Admins and supervisors: every contact. Agents: contacts they own, or with a
    conversation in one of their areas, assigned to them, or in a queue they may take."""
    if user.role in OVERSEER_ROLES:
        return true()
    theirs = select(Conversation.id).where(
        Conversation.contact_id == Contact.id,
        or_(
            Conversation.area_id.in_(area_ids or [-1]),
            visible_filter(user, area_ids),
        ),
    )
    return or_(Contact.owner_id == user.id, theirs.exists())


async def access_contact(session: AsyncSession, user: User, contact_id: int) -> Contact:
    """The contact if the user may see it; one they may not see does not exist for them."""
    areas = await user_area_ids(session, user.id)
    contact = await session.scalar(
        select(Contact).where(Contact.id == contact_id, visible_contacts(user, areas))
    )
    if contact is None:
        raise NotFound(f"Contact {contact_id} not found")
    return contact


async def audience(session: AsyncSession, contact: Contact) -> set[str]:
    """The socket rooms of everyone who may see the contact."""
    rooms = {role_room(Role.ADMIN.value), role_room(Role.SUPERVISOR.value)}
    if contact.owner_id is not None:
        rooms.add(user_room(contact.owner_id))
    rows = await session.execute(
        select(Conversation.area_id, Conversation.assigned_user_id, Conversation.status).where(
            Conversation.contact_id == contact.id
        )
    )
    for area_id, assigned, status in rows:
        if area_id is not None:
            rooms.add(area_room(area_id))
        elif assigned is None and status == ConversationStatus.PENDING.value:
            rooms.update(role_room(r.value) for r in AGENT_ROLES)
        if assigned is not None:
            rooms.add(user_room(assigned))
    return rooms


async def announce(session: AsyncSession, name: str, contact: Contact) -> None:
    """Queue `contact:new|update|delete` for after the commit."""
    if name == "contact:delete":
        payload: dict[str, Any] = {"contactId": contact.id}
    else:
        view = (await views(session, [contact]))[0]
        payload = {"contact": view.model_dump(mode="json", by_alias=True)}
        what = "created" if name == "contact:new" else "updated"
        await CONTACT_CHANGED.run(session, what, payload["contact"])
    queue_event(session, name, payload, await audience(session, contact))


# --- reading ----------------------------------------------------------------------------


async def views(session: AsyncSession, contacts: list[Contact]) -> list[ContactOut]:
    """The API shape of these contacts: tags and attributes in two statements for all."""
    ids = [c.id for c in contacts]
    tags: dict[int, list[str]] = {i: [] for i in ids}
    attrs: dict[int, dict[str, str | int | float]] = {i: {} for i in ids}
    if ids:
        for contact_id, tag in await session.execute(
            select(ContactTag.contact_id, ContactTag.tag)
            .where(ContactTag.contact_id.in_(ids))
            .order_by(ContactTag.tag)
        ):
            tags[contact_id].append(tag)
        for contact_id, key, kind, value in await session.execute(
            select(
                ContactAttributeValue.contact_id,
                ContactAttribute.key,
                ContactAttribute.type,
                ContactAttributeValue.value,
            )
            .join(ContactAttribute, ContactAttribute.id == ContactAttributeValue.attribute_id)
            .where(ContactAttributeValue.contact_id.in_(ids))
        ):
            attrs[contact_id][key] = wire_value(kind, value)
    return [
        ContactOut.model_validate(
            {
                **{f: getattr(c, f) for f in PLAIN_FIELDS},
                "id": c.id,
                "name_source": c.name_source,
                "tags": tags[c.id],
                "attributes": attrs[c.id],
                "last_seen_at": c.last_seen_at,
                "created_at": c.created_at,
                "updated_at": c.updated_at,
            }
        )
        for c in contacts
    ]


def _search(q: str, region: str) -> ColumnElement[bool]:
    text = q.strip().lower()
    term = f"%{text}%"
    found: list[ColumnElement[bool]] = [
        func.lower(Contact.name).like(term),
        func.lower(Contact.email).like(term),
        func.lower(Contact.document).like(term),
        func.lower(Contact.external_id).like(term),
    ]
    phone = phone_search_terms(text, region)
    if phone is not None:
        digits, full = phone
        found.append(Contact.phone.like(f"%{digits}%"))
        found.append(func.lower(Contact.document).like(f"%{digits}%"))
        if full:
            found.append(Contact.phone == full)
    return or_(*found)


async def _attribute_filters(session: AsyncSession, pairs: list[str]) -> list[ColumnElement[bool]]:
    wheres: list[ColumnElement[bool]] = []
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise Unprocessable(f"attr: expected key=value, got {pair[:40]!r}")
        attr = await _attribute(session, key.strip())
        stored = attribute_value(attr, raw)
        wheres.append(
            exists().where(
                ContactAttributeValue.contact_id == Contact.id,
                ContactAttributeValue.attribute_id == attr.id,
                ContactAttributeValue.value == stored,
            )
        )
    return wheres


async def filtered_query(session: AsyncSession, user: User, f: ContactQuery, region: str) -> Any:
    """The contacts the user may see that match the filters (unsorted, unpaged)."""
    query = select(Contact).where(visible_contacts(user, await user_area_ids(session, user.id)))
    if f.q and f.q.strip():
        query = query.where(_search(f.q, region))
    if f.tag:
        query = query.where(
            exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag == f.tag.strip())
        )
    if f.status_id is not None:
        query = query.where(Contact.status_id == f.status_id)
    if f.owner_id is not None:
        query = query.where(Contact.owner_id == f.owner_id)
    for where in await _attribute_filters(session, f.attr):
        query = query.where(where)
    return query


_SORTS: dict[str, Any] = {
    "name": Contact.name,
    "created": Contact.created_at,
    "lastSeen": Contact.last_seen_at,
}


def ordered(query: Any, sort: str) -> Any:
    column = _SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        return query.order_by(column.is_(None), column.desc(), Contact.id.desc())
    return query.order_by(column.is_(None), column.asc(), Contact.id.asc())


async def list_contacts(
    session: AsyncSession, user: User, f: ContactQuery, region: str
) -> tuple[list[Contact], int]:
    query = await filtered_query(session, user, f, region)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        ordered(query, f.sort).offset((f.page - 1) * f.page_size).limit(f.page_size)
    )
    return list(rows), int(total or 0)


async def list_events(session: AsyncSession, contact: Contact) -> list[ContactEvent]:
    rows = await session.scalars(
        select(ContactEvent)
        .where(ContactEvent.contact_id == contact.id)
        .order_by(ContactEvent.id.desc())
        .limit(500)
    )
    return list(rows)


async def list_conversations(
    session: AsyncSession, user: User, contact: Contact
) -> list[Conversation]:
    """The contact's conversations the user may open, newest first."""
    areas = await user_area_ids(session, user.id)
    rows = await session.scalars(
        select(Conversation)
        .where(Conversation.contact_id == contact.id, visible_filter(user, areas))
        .order_by(Conversation.created_at.desc(), Conversation.id.desc())
        .limit(200)
    )
    return list(rows.unique())


# --- writing ----------------------------------------------------------------------------


async def _attribute(session: AsyncSession, key: str) -> ContactAttribute:
    attr = await session.scalar(select(ContactAttribute).where(ContactAttribute.key == key))
    if attr is None:
        raise Unprocessable(f"attributes.{key[:60]}: no such custom attribute")
    return attr


async def _check_refs(session: AsyncSession, data: ContactFields, sent: set[str]) -> None:
    checks: list[tuple[str, int | None, type[Any]]] = [
        ("status_id", data.status_id, ContactStatus),
        ("owner_id", data.owner_id, User),
        ("preferred_area_id", data.preferred_area_id, Area),
    ]
    for field, value, model in checks:
        if field in sent and value is not None:
            row = await session.get(model, value)
            if row is None or (model is User and not row.active):
                camel = {"status_id": "statusId", "owner_id": "ownerId"}.get(
                    field, "preferredAreaId"
                )
                raise Unprocessable(f"{camel}: {value} does not exist")


async def _check_unique(
    session: AsyncSession, contact_id: int | None, field: str, value: str
) -> None:
    column = Contact.phone if field == "phone" else Contact.external_id
    found = await session.scalar(
        select(Contact.id).where(column == value, Contact.id != (contact_id or -1))
    )
    if found is not None:
        camel = "phone" if field == "phone" else "externalId"
        raise Conflict(f"{camel}: {value} already belongs to contact {found}", contactId=found)


async def _write(
    session: AsyncSession,
    contact: Contact,
    data: ContactFields,
    sent: set[str],
    region: str,
    name_source: NameSource,
) -> dict[str, list[Any]]:
    """Apply the sent fields; returns what changed as {field: [before, after]}."""
    await _check_refs(session, data, sent)
    values: dict[str, Any] = {f: getattr(data, f) for f in PLAIN_FIELDS if f in sent}
    if values.get("phone"):
        values["phone"] = parse_phone(values["phone"], region)
        await _check_unique(session, contact.id, "phone", values["phone"])
    if values.get("external_id"):
        values["external_id"] = normalize_external_id(values["external_id"])
        await _check_unique(session, contact.id, "external", values["external_id"])
    for field in ("name", "email", "document", "company", "notes", "phone", "external_id"):
        if field in values and isinstance(values[field], str):
            values[field] = values[field].strip() or None
    changes: dict[str, list[Any]] = {}
    for field, value in values.items():
        before = getattr(contact, field)
        if before != value:
            changes[_camel(field)] = [before, value]
            setattr(contact, field, value)
    if "name" in changes:
        contact.name_source = name_source.value if contact.name else None
    if contact.id is None:
        session.add(contact)
    await session.flush()
    if data.tags is not None and "tags" in sent:
        changes.update(await _set_tags(session, contact.id, data.tags))
    if data.attributes:
        changes.update(await _set_attributes(session, contact.id, data.attributes))
    return changes


def _camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(p.title() for p in rest)


async def _set_tags(
    session: AsyncSession, contact_id: int, tags: list[str]
) -> dict[str, list[Any]]:
    before = sorted(
        await session.scalars(select(ContactTag.tag).where(ContactTag.contact_id == contact_id)),
        key=str.lower,
    )
    if before == tags:
        return {}
    gone = set(before) - set(tags)
    if gone:
        await session.execute(
            delete(ContactTag).where(ContactTag.contact_id == contact_id, ContactTag.tag.in_(gone))
        )
    session.add_all(ContactTag(contact_id=contact_id, tag=t) for t in set(tags) - set(before))
    await session.flush()
    return {"tags": [before, tags]}


async def _set_attributes(
    session: AsyncSession, contact_id: int, given: dict[str, Any]
) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for key, value in given.items():
        attr = await _attribute(session, key)
        row = await session.get(ContactAttributeValue, (contact_id, attr.id))
        before = row.value if row else None
        after = None if value is None or value == "" else attribute_value(attr, value)
        if before == after:
            continue
        if after is None and row is not None:
            await session.delete(row)
        elif row is None:
            session.add(
                ContactAttributeValue(contact_id=contact_id, attribute_id=attr.id, value=after)
            )
        else:
            row.value = after or ""
        changes[f"attributes.{key}"] = [before, after]
    await session.flush()
    return changes


def log_event(
    session: AsyncSession,
    contact_id: int,
    type_: str,
    actor: User | None,
    changes: dict[str, Any],
) -> None:
    session.add(
        ContactEvent(
            contact_id=contact_id,
            type=type_,
            actor_user_id=actor.id if actor else None,
            changes=changes,
            created_at=utcnow(),
        )
    )


async def create_contact(
    session: AsyncSession, user: User | None, data: ContactIn, region: str, event: str = "created"
) -> Contact:
    sent = set(data.model_fields_set)
    if not data.phone and not data.external_id and not data.name:
        raise Unprocessable("phone: a contact needs a phone, a WhatsApp user id or a name")
    contact = Contact(created_at=utcnow())
    changes = await _write(session, contact, data, sent, region, NameSource.PERSON)
    log_event(session, contact.id, event, user, changes)
    await announce(session, "contact:new", contact)
    return contact


async def update_contact(
    session: AsyncSession,
    user: User | None,
    contact: Contact,
    data: ContactFields,
    region: str,
    source: NameSource = NameSource.PERSON,
    event: str = "updated",
) -> Contact:
    sent = set(data.model_fields_set)
    if "phone" in sent and not data.phone and contact.external_id is None and contact.phone:
        raise Unprocessable("phone: a contact WhatsApp knows only by its phone keeps it")
    changes = await _write(session, contact, data, sent, region, source)
    if changes:
        contact.updated_at = utcnow()
        log_event(session, contact.id, event, user, changes)
        await announce(session, "contact:update", contact)
    return contact


async def store_from_bot(session: AsyncSession, contact: Contact, field: str, value: str) -> None:
    """Keep an answer the bot collected on the contact (`name`, `email`, `document` or
    `attributes.<key>`). One the contact cannot take (no such attribute, a value of another
    type) stays only in the run's data: the customer's conversation goes on."""
    key = field.removeprefix("attributes.")
    try:
        patch = (
            ContactPatch(attributes={key: value})
            if field.startswith("attributes.")
            else ContactPatch.model_validate({field: value})
        )
        # Every check runs before anything is written: a refused answer changes nothing.
        await update_contact(session, None, contact, patch, "", NameSource.BOT, "bot")
    except (DomainError, ValidationError) as exc:
        log.info("bot answer for %s not kept on contact %s: %s", field, contact.id, exc)


async def delete_contact(session: AsyncSession, user: User, contact: Contact) -> None:
    count = await session.scalar(
        select(func.count()).select_from(Conversation).where(Conversation.contact_id == contact.id)
    )
    if count:
        raise Conflict(
            f"Contact {contact.id} has {count} conversation(s); merge it into another contact "
            "instead"
        )
    await announce(session, "contact:delete", contact)
    await session.delete(contact)
    await session.flush()


# --- merging ----------------------------------------------------------------------------


async def merge(session: AsyncSession, user: User, keep: Contact, other_id: int) -> Contact:
    """Move everything of contact `other_id` to `keep`, fill keep's empty fields from it,
    log the merge on keep, and delete the other."""
    if other_id == keep.id:
        raise Unprocessable("otherId: a contact cannot be merged into itself")
    other = await session.get(Contact, other_id)
    if other is None:
        raise NotFound(f"Contact {other_id} not found")
    gone_rooms = await audience(session, other)
    moved = await _move_conversations(session, keep, other)
    await CONTACTS_MERGING.run(session, keep.id, other.id)
    await session.execute(
        update(ContactEvent).where(ContactEvent.contact_id == other.id).values(contact_id=keep.id)
    )
    tags = set(
        await session.scalars(select(ContactTag.tag).where(ContactTag.contact_id == other.id))
    )
    tags |= set(
        await session.scalars(select(ContactTag.tag).where(ContactTag.contact_id == keep.id))
    )
    values = await session.execute(
        select(ContactAttributeValue.attribute_id, ContactAttributeValue.value).where(
            ContactAttributeValue.contact_id == other.id
        )
    )
    theirs = {attribute_id: value for attribute_id, value in values}
    inherited = {f: getattr(other, f) for f in PLAIN_FIELDS if getattr(keep, f) is None}
    summary = {"id": other.id, "name": other.name, "phone": other.phone}
    queue_event(session, "contact:delete", {"contactId": other.id}, gone_rooms)
    await session.delete(other)
    await session.flush()  # the other's phone and id are free before keep takes them
    for field, value in inherited.items():
        if value is not None:
            setattr(keep, field, value)
    if "name" in inherited and other.name:
        keep.name_source = other.name_source
    await _set_tags(session, keep.id, sorted(tags, key=str.lower))
    mine = set(
        await session.scalars(
            select(ContactAttributeValue.attribute_id).where(
                ContactAttributeValue.contact_id == keep.id
            )
        )
    )
    session.add_all(
        ContactAttributeValue(contact_id=keep.id, attribute_id=a, value=v)
        for a, v in theirs.items()
        if a not in mine
    )
    keep.updated_at = utcnow()
    log_event(session, keep.id, "merged", user, {"merged": summary, "conversations": len(moved)})
    await session.flush()
    for conv in moved:
        announce_conversation(session, "conversation:update", conv)
    await announce(session, "contact:update", keep)
    return keep


async def _move_conversations(
    session: AsyncSession, keep: Contact, other: Contact
) -> list[Conversation]:
    """The other's conversations become keep's. Two open on the same number cannot both
    stay open (one open conversation per customer and number): the other's is closed."""
    convs = list(
        (
            await session.scalars(select(Conversation).where(Conversation.contact_id == other.id))
        ).unique()
    )
    open_keys = set(
        await session.scalars(
            select(Conversation.open_key).where(
                Conversation.contact_id == keep.id, Conversation.open_key.is_not(None)
            )
        )
    )
    for conv in convs:
        conv.contact = keep
        if conv.open_key is None:
            continue
        key = open_key(conv.channel_id, keep.id)
        if key in open_keys:
            conv.open_key = None
            conv.status = ConversationStatus.CLOSED.value
            conv.closed_at = utcnow()
        else:
            conv.open_key = key
            open_keys.add(key)
    await session.flush()
    return convs


# --- statuses and attribute definitions -------------------------------------------------


async def ensure_unique_name(
    session: AsyncSession, model: Any, column: Any, value: str, own_id: int | None
) -> None:
    found = await session.scalar(
        select(model.id).where(column == value, model.id != (own_id or -1))
    )
    if found is not None:
        raise Conflict(f"'{value}' is already used")
