import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { uploadProductImage } from '../../api/catalog'
import type { Category, Product } from '../../api/catalog'
import { errorMessage } from '../../util'
import Modal from '../Modal'
import { priceInput, stockInput } from './money'

interface Props {
  categories: Category[]
  /** the category filtered on, proposed for the new product */
  categoryId: number | null
  onClose: () => void
  onCreated: (product: Product) => void
}

/** Create a product (and optionally give it a picture at once). */
export default function ProductDialog({ categories, categoryId, onClose, onCreated }: Props) {
  const { t } = useTranslation()
  const [form, setForm] = useState({
    sku: '',
    name: '',
    description: '',
    price: '',
    currency: 'USD',
    categoryId: categoryId !== null ? String(categoryId) : '',
    stock: '',
    active: true,
  })
  const [image, setImage] = useState<File | null>(null)
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }))

  const create = useMutation({
    mutationFn: async () => {
      const price = priceInput(form.price)
      if (price === null) throw new Error(t('catalog.badPrice'))
      const stock = stockInput(form.stock)
      if (stock === undefined) throw new Error(t('catalog.badStock'))
      const made = await unwrap(
        client.POST('/api/products', {
          body: {
            sku: form.sku.trim(),
            name: form.name.trim(),
            description: form.description.trim() || null,
            price,
            currency: form.currency.trim().toUpperCase(),
            categoryId: form.categoryId ? Number(form.categoryId) : null,
            stock,
            active: form.active,
          },
        }),
      )
      return image ? uploadProductImage(made.id, image) : made
    },
    onSuccess: onCreated,
  })

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!create.isPending) create.mutate()
  }

  return (
    <Modal title={t('catalog.newProduct')} testId="product-dialog" wide onClose={onClose}>
      <form onSubmit={submit}>
        <div className="form-row">
          <label className="field">
            <span>{t('catalog.sku')}</span>
            <input
              data-testid="product-sku"
              required
              maxLength={64}
              value={form.sku}
              onChange={(e) => set({ sku: e.target.value })}
            />
          </label>
          <label className="field field-grow">
            <span>{t('catalog.name')}</span>
            <input
              data-testid="product-name"
              required
              maxLength={200}
              value={form.name}
              onChange={(e) => set({ name: e.target.value })}
            />
          </label>
        </div>
        <div className="form-row">
          <label className="field">
            <span>{t('catalog.price')}</span>
            <input
              data-testid="product-price"
              required
              inputMode="decimal"
              placeholder="19.99"
              value={form.price}
              onChange={(e) => set({ price: e.target.value })}
            />
          </label>
          <label className="field">
            <span>{t('catalog.currency')}</span>
            <input
              data-testid="product-currency"
              required
              maxLength={3}
              pattern="[A-Za-z]{3}"
              title={t('catalog.currencyHint')}
              value={form.currency}
              onChange={(e) => set({ currency: e.target.value.toUpperCase() })}
            />
          </label>
          <label className="field">
            <span>{t('catalog.category')}</span>
            <select
              data-testid="product-category"
              value={form.categoryId}
              onChange={(e) => set({ categoryId: e.target.value })}
            >
              <option value="">{t('catalog.noCategory')}</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('catalog.stock')}</span>
            <input
              data-testid="product-stock"
              inputMode="numeric"
              placeholder={t('catalog.untracked')}
              value={form.stock}
              onChange={(e) => set({ stock: e.target.value })}
            />
          </label>
        </div>
        <label className="field">
          <span>{t('catalog.description')}</span>
          <textarea
            className="field-textarea"
            data-testid="product-description"
            rows={3}
            maxLength={4000}
            value={form.description}
            onChange={(e) => set({ description: e.target.value })}
          />
        </label>
        <div className="form-row">
          <label className="field">
            <span>{t('catalog.image')}</span>
            <input
              type="file"
              accept="image/jpeg,image/png,image/webp,image/gif"
              data-testid="product-image"
              onChange={(e) => setImage(e.target.files?.[0] ?? null)}
            />
          </label>
          <label className="field field-check">
            <input
              type="checkbox"
              data-testid="product-active"
              checked={form.active}
              onChange={(e) => set({ active: e.target.checked })}
            />
            <span>{t('catalog.active')}</span>
          </label>
        </div>
        {create.error != null && (
          <p className="form-error" role="alert" data-testid="product-error">
            {errorMessage(create.error, t)}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="product-save"
            disabled={create.isPending}
          >
            {create.isPending ? t('common.saving') : t('catalog.create')}
          </button>
        </div>
      </form>
    </Modal>
  )
}
