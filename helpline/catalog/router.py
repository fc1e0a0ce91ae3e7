"""The catalog over HTTP. Reading needs a login (any role); admins and supervisors edit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse

from helpline.auth.deps import CurrentUser, Overseer, SessionDep, SettingsDep
from helpline.catalog import csv_io, service
from helpline.catalog.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    ImportRefused,
    ProductImportReport,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductQuery,
)
from helpline.db import RowId
from helpline.media.service import Inspected, limit_bytes, remove_files, too_big
from helpline.messages.schemas import Page

router = APIRouter(tags=["catalog"])

DUPLICATE_SKU: dict[int | str, dict[str, Any]] = {
    409: {"description": "The SKU is taken: `productId` names the product that has it"}
}
NOT_AN_IMAGE: dict[int | str, dict[str, Any]] = {
    413: {"description": "The file is larger than MAX_UPLOAD_MB"},
    422: {"description": "The file is not a JPEG, PNG, WebP or GIF picture (checked by content)"},
}


def _duplicate(exc: service.DuplicateSku) -> JSONResponse:
    body = {"detail": exc.detail, "code": exc.code, "productId": exc.product_id}
    return JSONResponse(body, status_code=409)


# --- categories -----------------------------------------------------------------------


@router.get("/api/categories", response_model=list[CategoryOut], operation_id="listCategories")
async def list_categories(_user: CurrentUser, session: SessionDep) -> list[CategoryOut]:
    return await service.list_categories(session)


@router.post(
    "/api/categories", response_model=CategoryOut, status_code=201, operation_id="createCategory"
)
async def create_category(data: CategoryIn, _user: Overseer, session: SessionDep) -> CategoryOut:
    category = await service.create_category(session, data)
    await session.commit()
    return service.category_out(category, 0)


@router.patch(
    "/api/categories/{category_id}", response_model=CategoryOut, operation_id="updateCategory"
)
async def update_category(
    category_id: RowId, data: CategoryPatch, _user: Overseer, session: SessionDep
) -> CategoryOut:
    category, count = await service.update_category(session, category_id, data)
    await session.commit()
    return service.category_out(category, count)


@router.delete(
    "/api/categories/{category_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteCategory",
    responses={409: {"description": "The category still has products (the message says how many)"}},
)
async def delete_category(category_id: RowId, _user: Overseer, session: SessionDep) -> None:
    await service.delete_category(session, category_id)
    await session.commit()


# --- products -------------------------------------------------------------------------


@router.get("/api/products", response_model=Page[ProductOut], operation_id="listProducts")
async def list_products(
    _user: CurrentUser, session: SessionDep, query: Annotated[ProductQuery, Query()]
) -> Page[ProductOut]:
    items, total = await service.list_products(session, query)
    return Page(
        items=[ProductOut.model_validate(p) for p in items],
        total=total,
        page=query.page,
        page_size=query.page_size,
    )


@router.get(
    "/api/products/export.csv",
    operation_id="exportProducts",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "Every product, as CSV"}},
)
async def export_products(_user: CurrentUser, session: SessionDep) -> Response:
    body = await csv_io.export_csv(session)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="products.csv"'},
    )


@router.post(
    "/api/products/import",
    response_model=ProductImportReport,
    operation_id="importProducts",
    responses={422: {"model": ImportRefused, "description": "Rows with errors: nothing imported"}},
)
async def import_products(
    _user: Overseer,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description=f"CSV with columns {', '.join(csv_io.COLUMNS)}")],
    dry_run: Annotated[
        bool, Query(alias="dryRun", description="check only, write nothing")
    ] = False,
) -> ProductImportReport | JSONResponse:
    report = await csv_io.import_csv(session, await _read(file, settings.max_upload_mb), dry_run)
    if report.applied:
        await session.commit()
        return report
    await session.rollback()
    if report.error_count and not dry_run:
        rows = "row has" if report.error_count == 1 else "rows have"
        detail = f"{report.error_count} {rows} errors; nothing was imported"
        refused = ImportRefused(detail=detail, report=report)
        return JSONResponse(refused.model_dump(mode="json", by_alias=True), status_code=422)
    return report


@router.get("/api/products/{product_id}", response_model=ProductOut, operation_id="getProduct")
async def get_product(product_id: RowId, _user: CurrentUser, session: SessionDep) -> ProductOut:
    return ProductOut.model_validate(await service.get_product(session, product_id))


@router.post(
    "/api/products",
    response_model=ProductOut,
    status_code=201,
    operation_id="createProduct",
    responses=DUPLICATE_SKU,
)
async def create_product(
    data: ProductIn, _user: Overseer, session: SessionDep
) -> ProductOut | JSONResponse:
    try:
        product = await service.create_product(session, data)
    except service.DuplicateSku as exc:
        return _duplicate(exc)
    await session.commit()
    return ProductOut.model_validate(product)


@router.patch(
    "/api/products/{product_id}",
    response_model=ProductOut,
    operation_id="updateProduct",
    responses=DUPLICATE_SKU,
)
async def update_product(
    product_id: RowId, data: ProductPatch, _user: Overseer, session: SessionDep
) -> ProductOut | JSONResponse:
    try:
        product = await service.update_product(session, product_id, data)
    except service.DuplicateSku as exc:
        return _duplicate(exc)
    await session.commit()
    return ProductOut.model_validate(product)


@router.delete(
    "/api/products/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteProduct",
)
async def delete_product(
    product_id: RowId, _user: Overseer, session: SessionDep, settings: SettingsDep
) -> None:
    image = await service.delete_product(session, product_id)
    await session.commit()
    if image:
        remove_files(settings.upload_dir, [image])


# --- images ---------------------------------------------------------------------------


@router.get(
    "/api/products/{product_id}/image",
    response_class=FileResponse,
    operation_id="getProductImage",
    responses={200: {"content": {"image/*": {}}, "description": "The picture"}},
)
async def get_image(
    product_id: RowId, _user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    product = await service.get_product(session, product_id)
    path, media_type = service.image_file(settings.upload_dir, product)
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            # Its URL changes with the file (?v=), so a long private cache is safe.
            "Cache-Control": "private, max-age=31536000, immutable",
        },
    )


@router.put(
    "/api/products/{product_id}/image",
    response_model=ProductOut,
    operation_id="setProductImage",
    responses=NOT_AN_IMAGE,
)
async def set_image(
    product_id: RowId,
    _user: Overseer,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or GIF; checked by content")],
) -> ProductOut:
    inspected = service.inspect_image(
        await _read(file, settings.max_upload_mb), settings.max_upload_mb
    )
    return await _change_image(session, settings, product_id, inspected)


@router.delete(
    "/api/products/{product_id}/image", response_model=ProductOut, operation_id="deleteProductImage"
)
async def delete_image(
    product_id: RowId, _user: Overseer, session: SessionDep, settings: SettingsDep
) -> ProductOut:
    return await _change_image(session, settings, product_id, None)


async def _change_image(
    session: SessionDep,
    settings: SettingsDep,
    product_id: RowId,
    inspected: Inspected | None,
) -> ProductOut:
    change = await service.set_image(session, product_id, inspected, settings.upload_dir)
    try:
        await session.commit()
    except BaseException:
        remove_files(settings.upload_dir, [change.written] if change.written else [])
        raise
    if change.replaced:
        remove_files(settings.upload_dir, [change.replaced])
    return ProductOut.model_validate(change.product)


async def _read(file: UploadFile, max_upload_mb: int) -> bytes:
    """The upload, refused as soon as it is known to be too big."""
    limit = limit_bytes(max_upload_mb)
    if file.size is not None and file.size > limit:
        raise too_big(file.size, max_upload_mb)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise too_big(file.size or len(data), max_upload_mb)
    return data
