import { useCallback, useEffect, useMemo, useState } from 'react'
import type { FormEvent } from 'react'
import { useSearchParams } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { client, unwrap } from '../api/client'
import { keys, workingHoursQuery, workingHoursStatusQuery } from '../api/queries'
import { useAreas } from '../areas'
import AreaSurveyEditor from '../components/surveys/AreaSurveyEditor'
import AreaTargetsEditor from '../components/targets/AreaTargetsEditor'
import { useAuth } from '../auth'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import IntervalFields from '../components/IntervalFields'
import WeekView from '../components/WeekView'
import { useNow } from '../hooks'
import type { OpenStatus, Schedule } from '../api/types'
import { errorMessage } from '../util'
import {
  draftInterval,
  draftOf,
  formatInZone,
  isKnownZone,
  localMoment,
  newKey,
  nextInterval,
  payloadOf,
  problemsOf,
  repeatedDates,
  saveErrors,
  timeZones,
  weekdayNames,
  weekdayOfDate,
} from '../workingHours'
import type { Draft, DraftException, DraftInterval } from '../workingHours'

const STATUS_REFRESH_MS = 60_000

/** Open now? When next? In the area's own time zone (as last saved). */
function StatusCard({ status, error, zone }: { status: OpenStatus | null; error: unknown; zone: string }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? i18n.language
  const now = useNow(30_000)

  let text = t('common.loading')
  if (status && !status.configured) text = t('workingHours.status.unconfigured')
  else if (status?.open) text = t('workingHours.status.open')
  else if (status) text = t('workingHours.status.closed')

  return (
    <div
      className="card wh-status"
      data-testid="wh-status"
      data-open={status?.open}
      data-configured={status?.configured}
      role="status"
    >
      <span
        className={`wh-status-dot ${status ? (status.open ? 'wh-status-open' : 'wh-status-closed') : ''}`}
        aria-hidden="true"
      />
      <div className="wh-status-body">
        <div className="wh-status-text" data-testid="wh-status-text">
          {error != null && status === null ? errorMessage(error, t) : text}
          {status && !status.open && (
            <span className="wh-next-opening" data-testid="wh-next-opening">
              {' · '}
              {status.nextOpening
                ? t('workingHours.status.opensAt', {
                    when: formatInZone(status.nextOpening, zone, lang),
                  })
                : t('workingHours.status.noOpening')}
            </span>
          )}
        </div>
        <div className="muted small" data-testid="wh-local-time">
          {t('workingHours.localTime', { zone, time: formatInZone(now, zone, lang, false) })}
        </div>
      </div>
    </div>
  )
}

function ExceptionRow({
  exception: x,
  repeated,
  onChange,
  onRemove,
}: {
  exception: DraftException
  repeated: boolean
  onChange: (next: DraftException) => void
  onRemove: () => void
}) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? i18n.language
  const problems = problemsOf(x.intervals)
  const dateLabel = x.date || t('workingHours.newException')
  const setIntervals = (intervals: DraftInterval[]) => onChange({ ...x, intervals })

  return (
    <li
      className="wh-exception"
      data-testid="wh-exception"
      data-date={x.date}
      data-closed={x.intervals.length === 0}
    >
      <label className="field">
        <span>{t('workingHours.date')}</span>
        <input
          type="date"
          data-testid="wh-exception-date"
          value={x.date}
          required
          onChange={(e) => onChange({ ...x, date: e.target.value })}
        />
      </label>
      <div className="wh-exception-hours">
        <span className="wh-exception-weekday muted small">{weekdayOfDate(x.date, lang) || '—'}</span>
        <div className="wh-exception-intervals">
          {x.intervals.length === 0 && (
            <span className="chip chip-closed" data-testid="wh-exception-closed">
              {t('workingHours.closedAllDay')}
            </span>
          )}
          {x.intervals.map((i, n) => (
            <IntervalFields
              key={i.key}
              inline
              interval={i}
              label={t('workingHours.intervalOf', { day: dateLabel, n: n + 1 })}
              problem={problems.get(i.key)}
              testId="wh-exception-interval"
              onChange={(next) => setIntervals(x.intervals.map((y) => (y.key === i.key ? next : y)))}
              onRemove={() => setIntervals(x.intervals.filter((y) => y.key !== i.key))}
            />
          ))}
          <button
            type="button"
            className="btn btn-ghost btn-xs"
            data-testid="wh-exception-add-interval"
            aria-label={t('workingHours.addHoursTo', { date: dateLabel })}
            onClick={() => setIntervals([...x.intervals, nextInterval(x.intervals)])}
          >
            + {t('workingHours.addHours')}
          </button>
        </div>
        {repeated && (
          <div className="cell-error" data-testid="wh-exception-repeated">
            {t('workingHours.errors.dateTwice')}
          </div>
        )}
      </div>
      <label className="field field-grow">
        <span>{t('workingHours.note')}</span>
        <input
          data-testid="wh-exception-note"
          value={x.note}
          maxLength={120}
          placeholder={t('workingHours.notePlaceholder')}
          onChange={(e) => onChange({ ...x, note: e.target.value })}
        />
      </label>
      <button
        type="button"
        className="btn btn-ghost btn-sm btn-danger-text wh-exception-remove"
        data-testid="wh-exception-remove"
        aria-label={t('workingHours.removeException', { date: dateLabel })}
        onClick={onRemove}
      >
        {t('workingHours.remove')}
      </button>
    </li>
  )
}

/** The hours of one area: status, then the form. Keyed by area, so switching starts afresh. */
function AreaSchedule({
  areaId,
  onDirtyChange,
}: {
  areaId: number
  onDirtyChange: (dirty: boolean) => void
}) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? i18n.language
  const now = useNow(60_000)

  const qc = useQueryClient()
  const scheduleQ = useQuery(workingHoursQuery(areaId))
  const saved = scheduleQ.data ?? null
  const loadError = scheduleQ.error
  // The form edits a draft of what the server has; new server data (another area, a
  // save, a refetch that found changes) starts a new draft.
  const [draft, setDraft] = useState<Draft | null>(null)
  const [draftBase, setDraftBase] = useState<Schedule | null>(null)
  if (saved !== null && saved !== draftBase) {
    setDraftBase(saved)
    setDraft(draftOf(saved))
  }

  const statusQ = useQuery({ ...workingHoursStatusQuery(areaId), refetchInterval: STATUS_REFRESH_MS })
  const status = statusQ.data ?? null
  const statusError = statusQ.error

  const [saving, setSaving] = useState(false)
  const [errors, setErrors] = useState<string[] | null>(null)
  const [justSaved, setJustSaved] = useState(false)


  const dayNames = useMemo(() => weekdayNames(lang), [lang])
  const zones = useMemo(() => timeZones(), [])
  const savedPayload = useMemo(() => (saved ? JSON.stringify(payloadOf(draftOf(saved))) : ''), [saved])

  const dirty = draft !== null && JSON.stringify(payloadOf(draft)) !== savedPayload
  useEffect(() => onDirtyChange(dirty), [dirty, onDirtyChange])

  if (draft === null || saved === null) {
    return (
      <div className="card">
        {loadError != null ? (
          <InlineError error={loadError} onRetry={() => void scheduleQ.refetch()} />
        ) : (
          <div className="muted">{t('common.loading')}</div>
        )}
      </div>
    )
  }

  const savedZone = saved.timezone
  const edit = (change: (d: Draft) => Draft) => {
    setDraft((d) => (d ? change(d) : d))
    setJustSaved(false)
  }
  const setDay = (weekday: number, day: DraftInterval[]) =>
    edit((d) => ({ ...d, week: d.week.map((x, n) => (n === weekday ? day : x)) }))
  const copyMonday = () =>
    edit((d) => ({
      ...d,
      week: d.week.map((x, n) => (n >= 1 && n <= 4 ? (d.week[0] ?? []).map(draftInterval) : x)),
    }))
  const setException = (next: DraftException) =>
    edit((d) => ({ ...d, exceptions: d.exceptions.map((x) => (x.key === next.key ? next : x)) }))
  const addException = () =>
    edit((d) => ({
      ...d,
      exceptions: [...d.exceptions, { key: newKey(), date: '', note: '', intervals: [] }],
    }))
  const removeException = (key: number) =>
    edit((d) => ({ ...d, exceptions: d.exceptions.filter((x) => x.key !== key) }))

  const discard = () => {
    setDraft(draftOf(saved))
    setErrors(null)
  }

  const save = async (e: FormEvent) => {
    e.preventDefault()
    if (saving) return
    const body = payloadOf(draft)
    setSaving(true)
    setErrors(null)
    try {
      const result = await unwrap(
        client.PUT('/api/working-hours/{area_id}', { params: { path: { area_id: areaId } }, body }),
      )
      qc.setQueryData(keys.workingHours(areaId), result)
      setJustSaved(true)
      void qc.invalidateQueries({ queryKey: keys.workingHoursStatus(areaId) })
      // Hours set or cleared: the targets now count business hours or clock time.
      void qc.invalidateQueries({ queryKey: keys.areaTargets(areaId) })
    } catch (err) {
      setErrors(saveErrors(err, body, t, (weekday) => dayNames[weekday] ?? String(weekday)))
    } finally {
      setSaving(false)
    }
  }

  const repeated = repeatedDates(draft.exceptions)
  const zoneKnown = isKnownZone(draft.timezone)

  return (
    <>
      <StatusCard status={status} error={statusError} zone={savedZone} />

      <form className="card wh-form" data-testid="wh-form" onSubmit={(e) => void save(e)}>
        <div className="form-row wh-settings">
          <label className="field wh-zone-field">
            <span>{t('workingHours.timezone')}</span>
            <input
              data-testid="wh-timezone"
              list="wh-timezones"
              value={draft.timezone}
              required
              autoComplete="off"
              spellCheck={false}
              placeholder="America/Argentina/Buenos_Aires"
              onChange={(e) => {
                const timezone = e.target.value
                edit((d) => ({ ...d, timezone }))
              }}
            />
            <datalist id="wh-timezones">
              {zones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
            {!zoneKnown && draft.timezone.trim() !== '' && (
              <div className="cell-error" data-testid="wh-timezone-warning">
                {t('workingHours.unknownZone')}
              </div>
            )}
          </label>
          <label className="field field-grow">
            <span>{t('workingHours.courtesy')}</span>
            <textarea
              className="field-textarea"
              data-testid="wh-courtesy"
              rows={2}
              maxLength={1000}
              placeholder={t('workingHours.courtesyPlaceholder')}
              value={draft.courtesyMessage}
              onChange={(e) => {
                const courtesyMessage = e.target.value
                edit((d) => ({ ...d, courtesyMessage }))
              }}
            />
            <div className="muted small">{t('workingHours.courtesyHint')}</div>
          </label>
        </div>

        <section className="wh-section" aria-labelledby="wh-weekly-title">
          <div className="wh-section-head">
            <h2 id="wh-weekly-title">{t('workingHours.weekly')}</h2>
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              data-testid="wh-copy-monday"
              disabled={(draft.week[0] ?? []).length === 0}
              title={t('workingHours.copyMondayHint')}
              onClick={copyMonday}
            >
              {t('workingHours.copyMonday')}
            </button>
          </div>
          <p className="muted small wh-help">
            {t('workingHours.weeklyHelp', { zone: draft.timezone || 'UTC' })}
          </p>
          <WeekView
            week={draft.week}
            dayNames={dayNames}
            now={draft.timezone === savedZone ? localMoment(now, savedZone) : null}
            onDayChange={setDay}
          />
        </section>

        <section className="wh-section" aria-labelledby="wh-exceptions-title">
          <div className="wh-section-head">
            <h2 id="wh-exceptions-title">{t('workingHours.exceptions')}</h2>
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              data-testid="wh-add-exception"
              onClick={addException}
            >
              + {t('workingHours.addException')}
            </button>
          </div>
          <p className="muted small wh-help">{t('workingHours.exceptionsHelp')}</p>
          {draft.exceptions.length === 0 ? (
            <p className="muted" data-testid="wh-no-exceptions">
              {t('workingHours.noExceptions')}
            </p>
          ) : (
            <ul className="wh-exceptions" data-testid="wh-exceptions">
              {draft.exceptions.map((x) => (
                <ExceptionRow
                  key={x.key}
                  exception={x}
                  repeated={repeated.has(x.date)}
                  onChange={setException}
                  onRemove={() => removeException(x.key)}
                />
              ))}
            </ul>
          )}
        </section>

        <div className="wh-footer">
          {errors && (
            <div className="form-error wh-errors" role="alert" data-testid="wh-error">
              <strong>{t('workingHours.notSaved')}</strong>
              <ul>
                {errors.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </div>
          )}
          <div className="wh-footer-row">
            {dirty ? (
              <span className="wh-dirty" data-testid="wh-dirty">
                {t('workingHours.unsaved')}
              </span>
            ) : (
              justSaved && (
                <span className="wh-saved" data-testid="wh-saved" role="status">
                  {t('workingHours.saved')}
                </span>
              )
            )}
            {dirty && (
              <button type="button" className="btn btn-ghost" data-testid="wh-discard" onClick={discard}>
                {t('workingHours.discard')}
              </button>
            )}
            <button
              type="submit"
              className="btn btn-primary"
              data-testid="wh-save"
              disabled={!dirty || saving}
            >
              {saving ? t('common.saving') : t('common.save')}
            </button>
          </div>
        </div>
      </form>
    </>
  )
}

/** Working hours of an area: ADMIN picks any area, SUPERVISOR one of their own. */
export default function WorkingHoursPage() {
  const { t } = useTranslation()
  const { user } = useAuth()
  const { areas, error: areasError, reload } = useAreas()
  const [params, setParams] = useSearchParams()
  const [dirty, setDirty] = useState(false)
  const [pendingArea, setPendingArea] = useState<number | null>(null)

  const choices = useMemo(() => {
    if (!areas || !user) return null
    if (user.role === 'ADMIN') return areas
    const mine = new Set((user.areas ?? []).map((a) => a.id))
    return areas.filter((a) => mine.has(a.id))
  }, [areas, user])

  const requested = Number(params.get('area'))
  const areaId = choices?.find((a) => a.id === requested)?.id ?? choices?.[0]?.id ?? null

  const pick = (id: number) => setParams({ area: String(id) }, { replace: true })
  const cancelPending = useCallback(() => setPendingArea(null), [])

  return (
    <div className="admin-page" data-testid="working-hours-page">
      <div className="admin-head">
        <h1>{t('workingHours.title')}</h1>
        {choices && choices.length > 0 && (
          <label className="wh-area-pick">
            <span>{t('workingHours.area')}</span>
            <select
              data-testid="wh-area"
              value={areaId ?? ''}
              onChange={(e) => {
                const id = Number(e.target.value)
                if (dirty && id !== areaId) setPendingArea(id)
                else pick(id)
              }}
            >
              {choices.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.active ? a.name : `${a.name} (${t('workingHours.inactive')})`}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>

      <InlineError error={areasError} onRetry={reload} />

      {choices === null ? (
        areasError == null && <div className="muted pad">{t('common.loading')}</div>
      ) : areaId === null ? (
        <div className="card muted" data-testid="wh-no-areas">
          {t('workingHours.noAreas')}
        </div>
      ) : (
        <>
          <AreaSchedule key={areaId} areaId={areaId} onDirtyChange={setDirty} />
          {/* Supervisors reach their areas' survey here (the Areas screen is admins'). */}
          <section className="card" data-testid="wh-survey">
            <h2>{t('surveys.title', { name: choices.find((a) => a.id === areaId)?.name ?? '' })}</h2>
            <AreaSurveyEditor key={areaId} areaId={areaId} />
          </section>
          {/* And their service targets, counted in these hours when the area has them. */}
          <section className="card" data-testid="wh-targets">
            <h2>{t('targets.title', { name: choices.find((a) => a.id === areaId)?.name ?? '' })}</h2>
            <AreaTargetsEditor key={areaId} areaId={areaId} />
          </section>
        </>
      )}

      {pendingArea !== null && (
        <ConfirmDialog
          title={t('workingHours.discardTitle')}
          message={t('workingHours.discardConfirm')}
          confirmLabel={t('workingHours.discard')}
          confirmTestId="wh-discard-confirm"
          onConfirm={() => {
            pick(pendingArea)
            setPendingArea(null)
          }}
          onCancel={cancelPending}
        />
      )}
    </div>
  )
}
