import { useState } from 'react'
import type { FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { apiTokensQuery } from '../api/queries'
import type { ApiToken, ApiTokenCreated, ApiTokenScope } from '../api/types'
import InlineError from '../components/InlineError'
import { fullDateTime } from '../util'

const SCOPES: readonly ApiTokenScope[] = ['read', 'send', 'admin']

/** API tokens for other systems (admins): made with scopes, shown once, revoked here. */
export default function TokensPage() {
  const { t, i18n } = useTranslation()
  const queryClient = useQueryClient()
  const tokensQuery = useQuery(apiTokensQuery)
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<ApiTokenScope[]>(['read'])
  const [expiresOn, setExpiresOn] = useState('')
  const [made, setMade] = useState<ApiTokenCreated | null>(null)
  const reload = () => void queryClient.invalidateQueries({ queryKey: apiTokensQuery.queryKey })

  const create = useMutation({
    mutationFn: () =>
      unwrap(
        client.POST('/api/tokens', {
          body: {
            name,
            scopes,
            // The end of the chosen day, in the viewer's time zone.
            expiresAt: expiresOn ? new Date(`${expiresOn}T23:59:59`).toISOString() : null,
          },
        }),
      ),
    onSuccess: (token) => {
      setMade(token)
      setName('')
      setExpiresOn('')
      reload()
    },
  })
  const revoke = useMutation({
    mutationFn: (token: ApiToken) =>
      unwrap(
        client.POST('/api/tokens/{token_id}/revoke', {
          params: { path: { token_id: token.id } },
        }),
      ),
    onSuccess: reload,
  })

  const toggle = (scope: ApiTokenScope) =>
    setScopes((held) => (held.includes(scope) ? held.filter((s) => s !== scope) : [...held, scope]))
  const submit = (e: FormEvent) => {
    e.preventDefault()
    create.mutate()
  }
  const when = (iso: string | null) => (iso ? fullDateTime(iso, i18n.language) : '—')
  const tokens = tokensQuery.data

  return (
    <div className="admin-page" data-testid="tokens-page">
      <div className="admin-head">
        <h1>{t('tokens.title')}</h1>
      </div>
      <p className="muted">{t('tokens.intro')}</p>

      {made && (
        <div className="card pad" role="status" data-testid="token-secret-card">
          <strong>{t('tokens.copyNow', { name: made.name })}</strong>
          <pre className="token-secret" data-testid="token-secret">
            {made.secret}
          </pre>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setMade(null)}>
            {t('tokens.done')}
          </button>
        </div>
      )}

      <form className="card admin-create" onSubmit={submit}>
        <h2>{t('tokens.new')}</h2>
        <div className="form-row">
          <label className="field field-grow">
            <span>{t('tokens.name')}</span>
            <input
              data-testid="token-name"
              value={name}
              required
              maxLength={80}
              placeholder={t('tokens.namePlaceholder')}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <label className="field">
            <span>{t('tokens.expires')}</span>
            <input
              type="date"
              data-testid="token-expires"
              value={expiresOn}
              onChange={(e) => setExpiresOn(e.target.value)}
            />
          </label>
        </div>
        <fieldset className="form-row token-scopes">
          <legend>{t('tokens.scopes')}</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="field field-check" title={t(`tokens.scopeHelp.${scope}`)}>
              <input
                type="checkbox"
                data-testid={`token-scope-${scope}`}
                checked={scopes.includes(scope)}
                onChange={() => toggle(scope)}
              />
              {t(`tokens.scope.${scope}`)}
            </label>
          ))}
        </fieldset>
        <InlineError error={create.error} testId="token-error" />
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="token-create"
          disabled={create.isPending || scopes.length === 0 || !name.trim()}
        >
          {t('tokens.create')}
        </button>
      </form>

      <div className="card admin-table-card">
        <InlineError error={tokensQuery.error} onRetry={reload} />
        <InlineError error={revoke.error} />
        {tokens === undefined ? (
          tokensQuery.error == null && <div className="muted pad">{t('common.loading')}</div>
        ) : tokens.length === 0 ? (
          <div className="muted pad">{t('tokens.empty')}</div>
        ) : (
          <table className="admin-table" data-testid="tokens-table">
            <thead>
              <tr>
                <th>{t('tokens.name')}</th>
                <th>{t('tokens.scopes')}</th>
                <th>{t('tokens.created')}</th>
                <th>{t('tokens.lastUsed')}</th>
                <th>{t('tokens.expires')}</th>
                <th>
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => (
                <tr key={token.id} data-testid="token-row" data-revoked={!!token.revokedAt}>
                  <td className="cell-strong">
                    {token.name} <code className="muted">{token.prefix}…</code>
                  </td>
                  <td>{token.scopes.map((s) => t(`tokens.scope.${s}`)).join(', ')}</td>
                  <td>{when(token.createdAt)}</td>
                  <td>{when(token.lastUsedAt)}</td>
                  <td>{when(token.expiresAt)}</td>
                  <td>
                    {token.revokedAt ? (
                      <span className="muted" data-testid="token-revoked">
                        {t('tokens.revoked')}
                      </span>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm btn-danger-text"
                        data-testid="token-revoke"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate(token)}
                      >
                        {t('tokens.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  )
}
