import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { uploadProductImage, upsertProduct } from '../../api/catalog'
import type { Product } from '../../api/catalog'
import { errorMessage } from '../../util'
import Modal from '../Modal'

/** A product's picture, large; editors replace or remove it here. */
export default function ImageDialog({
  product,
  editable,
  onClose,
}: {
  product: Product
  editable: boolean
  onClose: () => void
}) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const change = useMutation({
    mutationFn: (file: File | null) =>
      file
        ? uploadProductImage(product.id, file)
        : unwrap(
            client.DELETE('/api/products/{product_id}/image', {
              params: { path: { product_id: product.id } },
            }),
          ),
    onSuccess: (saved) => upsertProduct(qc, saved),
  })
  // The dialog follows the cache (an upload here or elsewhere shows at once).
  const shown = change.data ?? product

  return (
    <Modal title={product.name} testId="image-dialog" onClose={onClose}>
      {shown.imageUrl ? (
        <img className="catalog-image-large" src={shown.imageUrl} alt={product.name} data-testid="image-large" />
      ) : (
        <p className="muted">{t('catalog.noImage')}</p>
      )}
      {change.error != null && (
        <p className="form-error" role="alert" data-testid="image-error">
          {errorMessage(change.error, t)}
        </p>
      )}
      <div className="modal-actions">
        {editable && (
          <>
            <label className="btn btn-ghost">
              {shown.imageUrl ? t('catalog.replaceImage') : t('catalog.uploadImage')}
              <input
                type="file"
                className="visually-hidden"
                accept="image/jpeg,image/png,image/webp,image/gif"
                data-testid="image-upload"
                disabled={change.isPending}
                onChange={(e) => {
                  const file = e.target.files?.[0]
                  if (file) change.mutate(file)
                  e.target.value = ''
                }}
              />
            </label>
            {shown.imageUrl && (
              <button
                type="button"
                className="btn btn-ghost btn-danger-text"
                data-testid="image-remove"
                disabled={change.isPending}
                onClick={() => change.mutate(null)}
              >
                {t('catalog.removeImage')}
              </button>
            )}
          </>
        )}
        <button type="button" className="btn btn-primary" onClick={onClose}>
          {t('catalog.close')}
        </button>
      </div>
    </Modal>
  )
}
