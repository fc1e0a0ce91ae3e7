import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client'
import { catalogKeys, importProducts, refusedReport } from '../../api/catalog'
import type { ImportReport } from '../../api/catalog'
import { errorMessage } from '../../util'
import Modal from '../Modal'
import { formatMoney } from './money'

/** CSV import: choose a file, see what each row would do (a dry run), then import it all. */
export default function ImportDialog({ onClose }: { onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const qc = useQueryClient()
  const [file, setFile] = useState<File | null>(null)
  const [report, setReport] = useState<ImportReport | null>(null)

  const run = useMutation({
    mutationFn: ({ chosen, dryRun }: { chosen: File; dryRun: boolean }) => importProducts(chosen, dryRun),
    onSuccess: (answer) => {
      setReport(answer)
      if (answer.applied) void qc.invalidateQueries({ queryKey: catalogKeys.all })
    },
    onError: (err) => {
      // A refused import (rows with errors) carries its report: show it like a preview.
      const refused = err instanceof ApiError ? refusedReport(err.body) : null
      if (refused) setReport(refused)
    },
  })

  const choose = (chosen: File | null) => {
    setFile(chosen)
    setReport(null)
    run.reset()
    if (chosen) run.mutate({ chosen, dryRun: true })
  }

  const canImport = file !== null && report !== null && report.dryRun && report.errorCount === 0

  return (
    <Modal title={t('catalog.importTitle')} testId="import-dialog" wide onClose={onClose}>
      <p className="muted small">{t('catalog.importHelp')}</p>
      <label className="field">
        <span>{t('catalog.csvFile')}</span>
        <input
          type="file"
          accept=".csv,text/csv"
          data-testid="import-file"
          onChange={(e) => choose(e.target.files?.[0] ?? null)}
        />
      </label>
      {run.isPending && <p className="muted">{t('common.loading')}</p>}
      {run.error != null && (
        <p className="form-error" role="alert" data-testid="import-error">
          {errorMessage(run.error, t)}
        </p>
      )}
      {report && (
        <div data-testid="import-report" data-applied={report.applied}>
          <p data-testid="import-summary">
            {report.applied
              ? t('catalog.imported', { created: report.created, updated: report.updated })
              : t('catalog.previewSummary', {
                  created: report.created,
                  updated: report.updated,
                  errors: report.errorCount,
                })}
            {report.newCategories.length > 0 &&
              ' ' + t('catalog.newCategories', { names: report.newCategories.join(', ') })}
          </p>
          <div className="catalog-import-table">
            <table className="admin-table">
              <thead>
                <tr>
                  <th>{t('catalog.line')}</th>
                  <th>{t('catalog.sku')}</th>
                  <th>{t('catalog.name')}</th>
                  <th className="cell-number">{t('catalog.price')}</th>
                  <th>{t('catalog.category')}</th>
                  <th>{t('catalog.result')}</th>
                </tr>
              </thead>
              <tbody>
                {report.rows.map((r) => (
                  <tr key={r.row} data-testid="import-row" className={r.errors.length ? 'catalog-row-error' : ''}>
                    <td>{r.row}</td>
                    <td>{r.sku ?? '—'}</td>
                    <td>{r.name ?? '—'}</td>
                    <td className="cell-number">{r.price != null ? formatMoney(r.price, r.currency ?? 'USD', lang) : '—'}</td>
                    <td>{r.category ?? '—'}</td>
                    <td>
                      {r.errors.length > 0 ? (
                        <span className="catalog-import-error">{r.errors.join('; ')}</span>
                      ) : (
                        t(`catalog.action.${r.action}`)
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          {report?.applied ? t('catalog.close') : t('common.cancel')}
        </button>
        {!report?.applied && (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="import-confirm"
            disabled={!canImport || run.isPending}
            onClick={() => file && run.mutate({ chosen: file, dryRun: false })}
          >
            {t('catalog.importConfirm', { count: (report?.created ?? 0) + (report?.updated ?? 0) })}
          </button>
        )}
      </div>
    </Modal>
  )
}
