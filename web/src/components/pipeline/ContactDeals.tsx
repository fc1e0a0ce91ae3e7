import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { contactDealsQuery, pipelineBoardQuery } from '../../api/queries'
import type { Deal } from '../../api/types'
import { useAuth } from '../../auth'
import { commonCurrency, formatMoney } from '../../money'
import InlineError from '../InlineError'
import DealDialog from './DealDialog'
import type { ContactChoice } from './DealDialog'

/** The customer's deals with their stage, opened in place, and "new deal" for this customer
 * (in the chat's customer panel and on the contact's page). */
export default function ContactDeals({ contact }: { contact: ContactChoice }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const { user } = useAuth()
  const deals = useQuery(contactDealsQuery(contact.id))
  const board = useQuery(pipelineBoardQuery({ ownerId: null })).data
  const [editing, setEditing] = useState<Deal | 'new' | null>(null)

  const pipelines = board?.pipelines ?? []
  const stagesOf = (pipelineId: number) => pipelines.find((p) => p.id === pipelineId)?.stages ?? []
  const stageName = (d: Deal) => stagesOf(d.pipelineId).find((s) => s.id === d.stageId)?.name ?? ''
  const items = deals.data ?? []
  return (
    <section className="contact-section" data-testid="contact-deals" aria-label={t('pipeline.deals')}>
      <h3>{t('pipeline.deals')}</h3>
      <InlineError error={deals.error} onRetry={() => void deals.refetch()} />
      {deals.data && items.length === 0 && <div className="muted small">{t('pipeline.noDeals')}</div>}
      <ul className="contact-deals">
        {items.map((d) => (
          <li key={d.id}>
            <button
              type="button"
              className="btn btn-link contact-deal"
              data-testid="contact-deal"
              onClick={() => setEditing(d)}
            >
              <span>{d.title}</span>
              <span className="muted small">
                {formatMoney(d.value, d.currency, lang)} · {stageName(d)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {user && pipelines.length > 0 && (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          data-testid="contact-new-deal"
          onClick={() => setEditing('new')}
        >
          {t('pipeline.newDeal')}
        </button>
      )}
      {user && editing !== null && (
        <DealDialog
          deal={editing === 'new' ? null : editing}
          stages={editing === 'new' ? (pipelines[0]?.stages ?? []) : stagesOf(editing.pipelineId)}
          me={user}
          defaultCurrency={commonCurrency(items)}
          forContact={contact}
          onClose={() => setEditing(null)}
        />
      )}
    </section>
  )
}
