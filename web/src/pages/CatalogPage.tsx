import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { categoriesQuery, EXPORT_URL, productsQuery, removeProduct, upsertProduct } from '../api/catalog'
import type { Category, Product, ProductFilter, ProductPatch } from '../api/catalog'
import { isOverseer } from '../api/types'
import { useAuth } from '../auth'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import CategoriesDialog from '../components/catalog/CategoriesDialog'
import EditableCell from '../components/catalog/EditableCell'
import ImageDialog from '../components/catalog/ImageDialog'
import ImportDialog from '../components/catalog/ImportDialog'
import ProductDialog from '../components/catalog/ProductDialog'
import { formatMoney, priceInput, stockInput } from '../components/catalog/money'
import '../components/catalog/catalog.css'
import { useConfirmedAction, useDebounced } from '../hooks'
import { errorMessage } from '../util'

const PAGE_SIZE = 50

/** The thumbnail of a product without a picture (an outline of one). */
function NoPicture() {
  return (
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" className="catalog-no-picture">
      <rect x="3" y="4" width="18" height="16" rx="2" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <circle cx="9" cy="10" r="1.8" fill="currentColor" />
      <path d="M4 18l5-5 4 4 3-3 4 4" fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  )
}

type Dialog = { kind: 'create' } | { kind: 'categories' } | { kind: 'import' } | { kind: 'image'; product: Product }

/** The catalog: everyone reads it; admins and supervisors edit in place. */
export default function CatalogPage() {
  const { t, i18n } = useTranslation()
  const { user } = useAuth()
  const qc = useQueryClient()
  const lang = i18n.resolvedLanguage ?? 'en'
  const editor = isOverseer(user?.role)

  const [search, setSearch] = useState('')
  const [categoryId, setCategoryId] = useState<number | null>(null)
  const [active, setActive] = useState<boolean | null>(null)
  const [page, setPage] = useState(1)
  const q = useDebounced(search.trim(), 250)
  const filter: ProductFilter = {
    q: q || undefined,
    categoryId: categoryId ?? undefined,
    active: active ?? undefined,
    page,
    pageSize: PAGE_SIZE,
  }
  const productsQ = useQuery(productsQuery(filter))
  const categoriesQ = useQuery(categoriesQuery)
  const categories = categoriesQ.data ?? []
  const [dialog, setDialog] = useState<Dialog | null>(null)
  const deletion = useConfirmedAction<Product>()

  const patch = async (product: Product, body: ProductPatch) => {
    const saved = await unwrap(
      client.PATCH('/api/products/{product_id}', { params: { path: { product_id: product.id } }, body }),
    )
    upsertProduct(qc, saved)
  }
  const savePrice = (p: Product) => async (text: string) => {
    const price = priceInput(text)
    if (price === null) throw new Error(t('catalog.badPrice'))
    await patch(p, { price })
  }
  const saveStock = (p: Product) => async (text: string) => {
    const stock = stockInput(text)
    if (stock === undefined) throw new Error(t('catalog.badStock'))
    await patch(p, { stock })
  }
  const confirmDelete = () =>
    deletion.run(async (p) => {
      await unwrap(client.DELETE('/api/products/{product_id}', { params: { path: { product_id: p.id } } }))
      removeProduct(qc, p.id)
    })

  const data = productsQ.data
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1
  const nameOf = (id: number | null) => categories.find((c) => c.id === id)?.name ?? '—'

  return (
    <div className="admin-page catalog-page" data-testid="catalog-page">
      <div className="admin-head">
        <h1>{t('catalog.title')}</h1>
        <div className="catalog-actions">
          <a className="btn btn-ghost" href={EXPORT_URL} download data-testid="catalog-export">
            {t('catalog.export')}
          </a>
          {editor && (
            <>
              <button type="button" className="btn btn-ghost" data-testid="catalog-import" onClick={() => setDialog({ kind: 'import' })}>
                {t('catalog.import')}
              </button>
              <button
                type="button"
                className="btn btn-ghost"
                data-testid="catalog-categories"
                onClick={() => setDialog({ kind: 'categories' })}
              >
                {t('catalog.categories')}
              </button>
              <button
                type="button"
                className="btn btn-primary"
                data-testid="catalog-new-product"
                onClick={() => setDialog({ kind: 'create' })}
              >
                {t('catalog.newProduct')}
              </button>
            </>
          )}
        </div>
      </div>

      <div className="form-row catalog-filters">
        <label className="field field-grow">
          <span>{t('catalog.search')}</span>
          <input
            type="search"
            data-testid="catalog-search"
            placeholder={t('catalog.searchPlaceholder')}
            value={search}
            onChange={(e) => {
              setSearch(e.target.value)
              setPage(1)
            }}
          />
        </label>
        <label className="field">
          <span>{t('catalog.category')}</span>
          <select
            data-testid="catalog-category-filter"
            value={categoryId ?? ''}
            onChange={(e) => {
              setCategoryId(e.target.value ? Number(e.target.value) : null)
              setPage(1)
            }}
          >
            <option value="">{t('catalog.allCategories')}</option>
            {categories.map((c: Category) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.productCount})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('catalog.state')}</span>
          <select
            data-testid="catalog-active-filter"
            value={active === null ? '' : String(active)}
            onChange={(e) => {
              setActive(e.target.value === '' ? null : e.target.value === 'true')
              setPage(1)
            }}
          >
            <option value="">{t('catalog.allStates')}</option>
            <option value="true">{t('catalog.activeOnly')}</option>
            <option value="false">{t('catalog.inactiveOnly')}</option>
          </select>
        </label>
      </div>

      <div className="card admin-table-card">
        <InlineError error={productsQ.error} onRetry={() => void productsQ.refetch()} />
        {!data ? (
          productsQ.error == null && <div className="muted pad">{t('common.loading')}</div>
        ) : data.items.length === 0 ? (
          <div className="muted pad" data-testid="catalog-empty">
            {q || categoryId !== null || active !== null ? t('catalog.noMatches') : t('catalog.empty')}
          </div>
        ) : (
          <table className="admin-table catalog-table" data-testid="catalog-table">
            <thead>
              <tr>
                <th>
                  <span className="visually-hidden">{t('catalog.image')}</span>
                </th>
                <th>{t('catalog.name')}</th>
                <th>{t('catalog.sku')}</th>
                <th>{t('catalog.category')}</th>
                <th className="cell-number">{t('catalog.price')}</th>
                <th className="cell-number">{t('catalog.stock')}</th>
                <th>{t('catalog.active')}</th>
                {editor && (
                  <th>
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.items.map((p) => (
                <tr key={p.id} data-testid="product-row" data-sku={p.sku} className={p.active ? '' : 'catalog-inactive'}>
                  <td>
                    <button
                      type="button"
                      className="catalog-thumb"
                      data-testid="product-thumb"
                      aria-label={t('catalog.showImage', { name: p.name })}
                      onClick={() => setDialog({ kind: 'image', product: p })}
                    >
                      {p.imageUrl ? <img src={p.imageUrl} alt="" loading="lazy" /> : <NoPicture />}
                    </button>
                  </td>
                  <td>
                    <EditableCell
                      value={p.name}
                      display={p.name}
                      editable={editor}
                      label={t('catalog.name')}
                      testId="product-row-name"
                      onSave={(text) => patch(p, { name: text.trim() })}
                    />
                  </td>
                  <td>
                    <EditableCell
                      value={p.sku}
                      display={<code>{p.sku}</code>}
                      editable={editor}
                      label={t('catalog.sku')}
                      testId="product-row-sku"
                      onSave={(text) => patch(p, { sku: text.trim() })}
                    />
                  </td>
                  <td>
                    {editor ? (
                      <select
                        className="catalog-cell-select"
                        data-testid="product-row-category"
                        aria-label={t('catalog.category')}
                        value={p.categoryId ?? ''}
                        onChange={(e) => void patch(p, { categoryId: e.target.value ? Number(e.target.value) : null })}
                      >
                        <option value="">{t('catalog.noCategory')}</option>
                        {categories.map((c) => (
                          <option key={c.id} value={c.id}>
                            {c.name}
                          </option>
                        ))}
                      </select>
                    ) : (
                      nameOf(p.categoryId)
                    )}
                  </td>
                  <td className="cell-number">
                    <EditableCell
                      value={p.price}
                      display={formatMoney(p.price, p.currency, lang)}
                      editable={editor}
                      inputMode="decimal"
                      label={t('catalog.price')}
                      testId="product-row-price"
                      onSave={savePrice(p)}
                    />
                  </td>
                  <td className="cell-number">
                    <EditableCell
                      value={p.stock === null ? '' : String(p.stock)}
                      display={p.stock === null ? <span className="muted">{t('catalog.untracked')}</span> : p.stock}
                      editable={editor}
                      inputMode="numeric"
                      label={t('catalog.stock')}
                      testId="product-row-stock"
                      onSave={saveStock(p)}
                    />
                  </td>
                  <td>
                    <label className="switch">
                      <input
                        type="checkbox"
                        role="switch"
                        data-testid="product-row-active"
                        aria-label={t('catalog.active')}
                        checked={p.active}
                        disabled={!editor}
                        onChange={(e) => void patch(p, { active: e.target.checked })}
                      />
                      <span>{p.active ? t('common.yes') : t('common.no')}</span>
                    </label>
                  </td>
                  {editor && (
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm btn-danger-text"
                        data-testid="product-delete"
                        onClick={() => deletion.ask(p)}
                      >
                        {t('common.delete')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      {data && data.total > PAGE_SIZE && (
        <div className="catalog-pager" data-testid="catalog-pager">
          <button type="button" className="btn btn-ghost btn-sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            ←
          </button>
          <span>{t('catalog.pageOf', { page, pages, total: data.total })}</span>
          <button type="button" className="btn btn-ghost btn-sm" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            →
          </button>
        </div>
      )}
      {data && data.total <= PAGE_SIZE && data.total > 0 && (
        <p className="muted small" data-testid="catalog-total">
          {t('catalog.total', { count: data.total })}
        </p>
      )}

      {dialog?.kind === 'create' && (
        <ProductDialog
          categories={categories}
          categoryId={categoryId}
          onClose={() => setDialog(null)}
          onCreated={(made) => {
            upsertProduct(qc, made)
            setDialog(null)
          }}
        />
      )}
      {dialog?.kind === 'categories' && <CategoriesDialog categories={categories} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'import' && <ImportDialog onClose={() => setDialog(null)} />}
      {dialog?.kind === 'image' && (
        <ImageDialog product={dialog.product} editable={editor} onClose={() => setDialog(null)} />
      )}
      {deletion.target && (
        <ConfirmDialog
          title={t('catalog.deleteTitle')}
          message={t('catalog.deleteConfirm', { name: deletion.target.name })}
          confirmLabel={t('common.delete')}
          confirmTestId="product-delete-confirm"
          busy={deletion.busy}
          error={deletion.error != null ? errorMessage(deletion.error, t) : null}
          onConfirm={() => void confirmDelete()}
          onCancel={deletion.cancel}
        />
      )}
    </div>
  )
}
