import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { catalogKeys, upsertCategory } from '../../api/catalog'
import type { Category } from '../../api/catalog'
import { errorMessage } from '../../util'
import Modal from '../Modal'
import EditableCell from './EditableCell'

/** Add, rename, reorder (position) and delete categories. */
export default function CategoriesDialog({ categories, onClose }: { categories: Category[]; onClose: () => void }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [name, setName] = useState('')

  const create = useMutation({
    mutationFn: (newName: string) => unwrap(client.POST('/api/categories', { body: { name: newName } })),
    onSuccess: (made) => {
      upsertCategory(qc, made)
      setName('')
    },
  })
  const remove = useMutation({
    mutationFn: (id: number) =>
      unwrap(client.DELETE('/api/categories/{category_id}', { params: { path: { category_id: id } } })),
    onSuccess: (_data, id) =>
      qc.setQueryData<Category[]>(catalogKeys.categories, (list) => list?.filter((c) => c.id !== id)),
  })

  const patch = async (id: number, body: { name?: string; position?: number }) => {
    const saved = await unwrap(
      client.PATCH('/api/categories/{category_id}', { params: { path: { category_id: id } }, body }),
    )
    upsertCategory(qc, saved)
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (name.trim() && !create.isPending) create.mutate(name.trim())
  }

  return (
    <Modal title={t('catalog.categories')} testId="categories-dialog" wide onClose={onClose}>
      <form className="form-row catalog-category-form" onSubmit={submit}>
        <label className="field field-grow">
          <span>{t('catalog.newCategory')}</span>
          <input
            data-testid="category-name"
            maxLength={120}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <button
          type="submit"
          className="btn btn-primary form-row-button"
          data-testid="category-add"
          disabled={!name.trim() || create.isPending}
        >
          {t('catalog.add')}
        </button>
      </form>
      {create.error != null && (
        <p className="form-error" role="alert" data-testid="category-error">
          {errorMessage(create.error, t)}
        </p>
      )}
      {remove.error != null && (
        <p className="form-error" role="alert" data-testid="category-delete-error">
          {errorMessage(remove.error, t)}
        </p>
      )}
      {categories.length === 0 ? (
        <p className="muted">{t('catalog.noCategories')}</p>
      ) : (
        <table className="admin-table" data-testid="categories-table">
          <thead>
            <tr>
              <th>{t('catalog.name')}</th>
              <th>{t('catalog.position')}</th>
              <th>{t('catalog.products')}</th>
              <th>
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {categories.map((c) => (
              <tr key={c.id} data-testid="category-row" data-name={c.name}>
                <td>
                  <EditableCell
                    value={c.name}
                    display={c.name}
                    editable
                    label={t('catalog.name')}
                    testId="category-row-name"
                    onSave={(text) => patch(c.id, { name: text.trim() })}
                  />
                </td>
                <td>
                  <EditableCell
                    value={String(c.position)}
                    display={c.position}
                    editable
                    inputMode="numeric"
                    label={t('catalog.position')}
                    testId="category-row-position"
                    onSave={async (text) => {
                      if (!/^\d{1,7}$/.test(text.trim())) throw new Error(t('catalog.badPosition'))
                      await patch(c.id, { position: Number(text.trim()) })
                    }}
                  />
                </td>
                <td>{c.productCount}</td>
                <td className="cell-actions">
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm btn-danger-text"
                    data-testid="category-delete"
                    disabled={remove.isPending}
                    onClick={() => remove.mutate(c.id)}
                  >
                    {t('common.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" data-testid="categories-close" onClick={onClose}>
          {t('catalog.close')}
        </button>
      </div>
    </Modal>
  )
}
