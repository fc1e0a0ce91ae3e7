from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from helpline.audit import service as audit
from helpline.auth.deps import AdminUser, CurrentUser, SessionDep, SettingsDep
from helpline.contacts import service
from helpline.contacts.schemas import (
    ContactAttributeIn,
    ContactAttributeOut,
    ContactEventOut,
    ContactImportReport,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactQuery,
    ContactStatusIn,
    ContactStatusOut,
    EraseIn,
    ErasureOut,
    MergeIn,
)
from helpline.conversations.schemas import ConversationOut
from helpline.customers import csvio, directory, erasure
from helpline.db import RowId
from helpline.errors import PayloadTooLarge, Unprocessable
from helpline.media.service import remove_files
from helpline.messages.schemas import Page

router = APIRouter(prefix="/api/contacts", tags=["contacts"])
statuses_router = APIRouter(prefix="/api/contact-statuses", tags=["contacts"])
attributes_router = APIRouter(prefix="/api/contact-attributes", tags=["contacts"])

EXPORT_LIMIT = 200_000


@router.get("", response_model=Page[ContactOut], operation_id="listContacts")
async def list_contacts(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    filters: Annotated[ContactQuery, Query()],
) -> Page[ContactOut]:
    items, total = await directory.list_contacts(
        session, user, filters, settings.default_phone_region
    )
    return Page(
        items=await directory.views(session, items),
        total=total,
        page=filters.page,
        page_size=filters.page_size,
    )


@router.post("", response_model=ContactOut, status_code=201, operation_id="createContact")
async def create_contact(
    data: ContactIn, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ContactOut:
    contact = await directory.create_contact(session, user, data, settings.default_phone_region)
    view = (await directory.views(session, [contact]))[0]
    await session.commit()
    return view


@router.get("/export.csv", operation_id="exportContacts", response_class=Response)
async def export_contacts(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    filters: Annotated[ContactQuery, Query()],
) -> Response:
    """The contacts of the current filter (all pages) as CSV."""
    query = await directory.filtered_query(session, user, filters, settings.default_phone_region)
    contacts = list(
        await session.scalars(directory.ordered(query, filters.sort).limit(EXPORT_LIMIT))
    )
    body = await csvio.export(session, contacts)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


async def _read_csv(file: UploadFile, max_mb: int) -> str:
    raw = await file.read(max_mb * 1024 * 1024 + 1)
    if len(raw) > max_mb * 1024 * 1024:
        raise PayloadTooLarge(f"file: larger than {max_mb} MB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unprocessable("file: not UTF-8 text; save the CSV as UTF-8") from None


CsvFile = Annotated[UploadFile, File(description="a UTF-8 CSV whose first line names the columns")]


@router.post(
    "/import/preview", response_model=ContactImportReport, operation_id="previewContactImport"
)
async def preview_import(
    file: CsvFile, user: AdminUser, session: SessionDep, settings: SettingsDep
) -> ContactImportReport:
    """What an import of this file would do, row by row; nothing is written."""
    checked = await csvio.check(
        session, await _read_csv(file, settings.max_upload_mb), settings.default_phone_region
    )
    return await csvio.report(session, checked, written=False)


@router.post("/import", response_model=ContactImportReport, operation_id="importContacts")
async def import_contacts(
    file: CsvFile, user: AdminUser, session: SessionDep, settings: SettingsDep
) -> ContactImportReport:
    """Write the file's good rows (bad rows are skipped and reported), all in one
    transaction: a failure writes none."""
    checked = await csvio.check(
        session, await _read_csv(file, settings.max_upload_mb), settings.default_phone_region
    )
    answer = await csvio.report(session, checked, written=True)
    await csvio.write(session, user, checked)
    await session.commit()
    return answer


@router.get("/{contact_id}", response_model=ContactOut, operation_id="getContact")
async def get_contact(contact_id: RowId, user: CurrentUser, session: SessionDep) -> ContactOut:
    contact = await directory.access_contact(session, user, contact_id)
    return (await directory.views(session, [contact]))[0]


@router.get("/{contact_id}/export", operation_id="exportContact")
async def export_contact(contact_id: RowId, user: AdminUser, session: SessionDep) -> JSONResponse:
    """Everything stored about the contact, as a JSON file (admins)."""
    contact = await directory.access_contact(session, user, contact_id)
    data = await erasure.export(session, contact)
    audit.record(session, "contact.exported", target=("contact", contact.id))
    await session.commit()
    headers = {"Content-Disposition": f'attachment; filename="contact-{contact_id}.json"'}
    return JSONResponse(data, headers=headers)


@router.get("/{contact_id}/erasure", response_model=ErasureOut, operation_id="contactErasure")
async def erasure_summary(contact_id: RowId, user: AdminUser, session: SessionDep) -> ErasureOut:
    """What erasing the contact would remove, for the confirmation."""
    contact = await directory.access_contact(session, user, contact_id)
    return ErasureOut.model_validate(await erasure.summary(session, contact))


@router.post("/{contact_id}/erase", response_model=ErasureOut, operation_id="eraseContact")
async def erase_contact(
    contact_id: RowId, data: EraseIn, user: AdminUser, session: SessionDep, settings: SettingsDep
) -> ErasureOut:
    """Delete the contact with their conversations, messages and media files, for good."""
    contact = await directory.access_contact(session, user, contact_id)
    gone, files = await erasure.erase(session, contact, data.confirm)
    await session.commit()
    remove_files(settings.upload_dir, files)
    return ErasureOut.model_validate(gone)


@router.patch("/{contact_id}", response_model=ContactOut, operation_id="updateContact")
async def update_contact(
    contact_id: RowId,
    data: ContactPatch,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> ContactOut:
    contact = await directory.access_contact(session, user, contact_id)
    await directory.update_contact(session, user, contact, data, settings.default_phone_region)
    view = (await directory.views(session, [contact]))[0]
    await session.commit()
    return view


@router.delete("/{contact_id}", status_code=204, operation_id="deleteContact")
async def delete_contact(contact_id: RowId, user: AdminUser, session: SessionDep) -> None:
    contact = await directory.access_contact(session, user, contact_id)
    await directory.delete_contact(session, user, contact)
    await session.commit()


@router.get(
    "/{contact_id}/conversations",
    response_model=list[ConversationOut],
    operation_id="listContactConversations",
)
async def list_contact_conversations(
    contact_id: RowId, user: CurrentUser, session: SessionDep
) -> list[ConversationOut]:
    contact = await directory.access_contact(session, user, contact_id)
    convs = await directory.list_conversations(session, user, contact)
    return [ConversationOut.model_validate(c) for c in convs]


@router.get(
    "/{contact_id}/events", response_model=list[ContactEventOut], operation_id="listContactEvents"
)
async def list_contact_events(
    contact_id: RowId, user: CurrentUser, session: SessionDep
) -> list[ContactEventOut]:
    contact = await directory.access_contact(session, user, contact_id)
    return [
        ContactEventOut.model_validate(e) for e in await directory.list_events(session, contact)
    ]


@router.post("/{contact_id}/merge", response_model=ContactOut, operation_id="mergeContact")
async def merge_contact(
    contact_id: RowId, data: MergeIn, user: AdminUser, session: SessionDep
) -> ContactOut:
    """Merge contact `otherId` into this one: its conversations (and deals) move here."""
    contact = await directory.access_contact(session, user, contact_id)
    await directory.merge(session, user, contact, data.other_id)
    view = (await directory.views(session, [contact]))[0]
    await session.commit()
    return view


# --- contact statuses ---------------------------------------------------------------------


@statuses_router.get("", response_model=list[ContactStatusOut], operation_id="listContactStatuses")
async def list_statuses(user: CurrentUser, session: SessionDep) -> list[ContactStatusOut]:
    return [ContactStatusOut.model_validate(s) for s in await service.list_statuses(session)]


@statuses_router.post(
    "", response_model=ContactStatusOut, status_code=201, operation_id="createContactStatus"
)
async def create_status(
    data: ContactStatusIn, user: AdminUser, session: SessionDep
) -> ContactStatusOut:
    row = await service.save_status(session, data)
    await session.commit()
    return ContactStatusOut.model_validate(row)


@statuses_router.put(
    "/{status_id}", response_model=ContactStatusOut, operation_id="updateContactStatus"
)
async def update_status(
    status_id: RowId, data: ContactStatusIn, user: AdminUser, session: SessionDep
) -> ContactStatusOut:
    row = await service.save_status(session, data, status_id)
    await session.commit()
    return ContactStatusOut.model_validate(row)


@statuses_router.delete("/{status_id}", status_code=204, operation_id="deleteContactStatus")
async def delete_status(status_id: RowId, user: AdminUser, session: SessionDep) -> None:
    await service.delete_status(session, status_id)
    await session.commit()


# --- custom attribute definitions -----------------------------------------------------------


@attributes_router.get(
    "", response_model=list[ContactAttributeOut], operation_id="listContactAttributes"
)
async def list_attributes(user: CurrentUser, session: SessionDep) -> list[ContactAttributeOut]:
    return [ContactAttributeOut.model_validate(a) for a in await service.list_attributes(session)]


@attributes_router.post(
    "", response_model=ContactAttributeOut, status_code=201, operation_id="createContactAttribute"
)
async def create_attribute(
    data: ContactAttributeIn, user: AdminUser, session: SessionDep
) -> ContactAttributeOut:
    row = await service.save_attribute(session, data)
    await session.commit()
    return ContactAttributeOut.model_validate(row)


@attributes_router.put(
    "/{attribute_id}", response_model=ContactAttributeOut, operation_id="updateContactAttribute"
)
async def update_attribute(
    attribute_id: RowId, data: ContactAttributeIn, user: AdminUser, session: SessionDep
) -> ContactAttributeOut:
    row = await service.save_attribute(session, data, attribute_id)
    await session.commit()
    return ContactAttributeOut.model_validate(row)


@attributes_router.delete("/{attribute_id}", status_code=204, operation_id="deleteContactAttribute")
async def delete_attribute(attribute_id: RowId, user: AdminUser, session: SessionDep) -> None:
    await service.delete_attribute(session, attribute_id)
    await session.commit()
