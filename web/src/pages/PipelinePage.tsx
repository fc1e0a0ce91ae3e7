import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core'
import type {
  Announcements,
  DragEndEvent,
  DragStartEvent,
  KeyboardCoordinateGetter,
} from '@dnd-kit/core'
import { client, unwrap } from '../api/client'
import { keys, pipelineBoardQuery, usersQuery } from '../api/queries'
import { isOverseer } from '../api/types'
import type { BoardQuery, BoardStage, Deal, PipelineBoard, User } from '../api/types'
import { useAuth } from '../auth'
import InlineError from '../components/InlineError'
import DealDialog from '../components/pipeline/DealDialog'
import StagesDialog from '../components/pipeline/StagesDialog'
import { commonCurrency, formatMoney, totalsOf } from '../money'
import { errorMessage } from '../util'

const STAGE_PREFIX = 'stage:'

/** The board with `dealId` moved to the top of `stageId`, counts and totals redone. */
function moveInBoard(board: PipelineBoard, dealId: number, stageId: number): PipelineBoard {
  const moving = board.pipelines
    .flatMap((p) => p.stages)
    .flatMap((s) => s.deals)
    .find((d) => d.id === dealId)
  if (!moving) return board
  const moved: Deal = { ...moving, stageId }
  const redo = (stage: BoardStage, deals: Deal[]): BoardStage => ({
    ...stage,
    deals,
    dealCount: deals.length,
    totals: totalsOf(deals),
  })
  return {
    pipelines: board.pipelines.map((p) => ({
      ...p,
      stages: p.stages.map((s) => {
        const rest = s.deals.filter((d) => d.id !== dealId)
        if (s.id === stageId) return redo(s, [moved, ...rest])
        return rest.length === s.deals.length ? s : redo(s, rest)
      }),
    })),
  }
}

/**
 * Arrow keys carry a picked-up card to the column on that side (dnd-kit's default moves
 * it by a few pixels, which means nothing on a board).
 */
const columnKeyboard: KeyboardCoordinateGetter = (event, { context }) => {
  const { collisionRect, droppableRects, droppableContainers } = context
  if (!collisionRect || (event.code !== 'ArrowRight' && event.code !== 'ArrowLeft')) return undefined
  event.preventDefault()
  const centre = collisionRect.left + collisionRect.width / 2
  const columns = droppableContainers
    .getEnabled()
    .map((c) => droppableRects.get(c.id))
    .filter((r) => r !== undefined)
    .sort((a, b) => a.left - b.left)
  const target =
    event.code === 'ArrowRight'
      ? columns.find((r) => r.left > centre)
      : [...columns].reverse().find((r) => r.left + r.width < centre)
  if (!target) return undefined
  return {
    x: target.left + (target.width - collisionRect.width) / 2,
    y: target.top + 48,
  }
}

interface CardProps {
  deal: Deal
  lang: string
  onOpen: (deal: Deal) => void
}

/** What a card shows; also drawn, without behaviour, under the pointer while dragging. */
function CardBody({ deal, lang, onOpen }: CardProps) {
  return (
    <>
      <button
        type="button"
        className="deal-card-title"
        data-testid="deal-open"
        onClick={() => onOpen(deal)}
      >
        {deal.title}
      </button>
      <div className="deal-card-value">{formatMoney(deal.value, deal.currency, lang)}</div>
      <div className="deal-card-meta muted small">
        <span>{deal.contact.name ?? deal.contact.phone ?? `#${deal.contact.id}`}</span>
        {deal.owner && <span>{deal.owner.name}</span>}
      </div>
    </>
  )
}

/** A deal on the board: dragged with the pointer, or picked up with Space and carried with
 * the arrow keys. */
function DealCard({ deal, lang, onOpen }: CardProps) {
  const { t } = useTranslation()
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: deal.id,
    data: { deal },
  })
  return (
    <li
      ref={setNodeRef}
      className={`deal-card${isDragging ? ' deal-card-dragging' : ''}`}
      data-testid="deal-card"
      data-deal-id={deal.id}
      {...attributes}
      {...listeners}
      aria-label={t('pipeline.cardLabel', { title: deal.title })}
    >
      <CardBody deal={deal} lang={lang} onOpen={onOpen} />
    </li>
  )
}

interface ColumnProps {
  stage: BoardStage
  lang: string
  onOpen: (deal: Deal) => void
}

function StageColumn({ stage, lang, onOpen }: ColumnProps) {
  const { t } = useTranslation()
  const { setNodeRef, isOver } = useDroppable({ id: `${STAGE_PREFIX}${stage.id}`, data: { stage } })
  return (
    <section
      ref={setNodeRef}
      className={`stage-column${isOver ? ' stage-column-over' : ''}`}
      data-testid="stage-column"
      data-stage-id={stage.id}
      data-stage-name={stage.name}
      aria-label={stage.name}
    >
      <header className="stage-head" style={{ borderTopColor: stage.colour }}>
        <h2>
          {stage.name}
          {stage.isWon && <span className="stage-flag"> · {t('pipeline.won')}</span>}
          {stage.isLost && <span className="stage-flag"> · {t('pipeline.lost')}</span>}
        </h2>
        <div className="stage-summary muted small">
          <span data-testid="stage-count">{t('pipeline.dealCount', { count: stage.dealCount })}</span>
          <span data-testid="stage-total">
            {stage.totals.length === 0
              ? new Intl.NumberFormat(lang, { minimumFractionDigits: 2 }).format(0)
              : stage.totals.map((x) => formatMoney(x.value, x.currency, lang)).join(' + ')}
          </span>
        </div>
      </header>
      <ul className="stage-deals">
        {stage.deals.map((d) => (
          <DealCard key={d.id} deal={d} lang={lang} onOpen={onOpen} />
        ))}
      </ul>
    </section>
  )
}

/** Owner filter: everyone's deals, mine, or (for overseers) one person's. */
function OwnerFilter({
  me,
  value,
  onChange,
}: {
  me: User
  value: string
  onChange: (v: string) => void
}) {
  const { t } = useTranslation()
  const users = useQuery({ ...usersQuery, enabled: isOverseer(me.role) }).data
  return (
    <label className="field">
      <span>{t('pipeline.owner')}</span>
      <select data-testid="pipeline-owner" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('pipeline.allOwners')}</option>
        <option value={String(me.id)}>{t('pipeline.mine')}</option>
        {(users ?? [])
          .filter((u) => u.id !== me.id)
          .map((u) => (
            <option key={u.id} value={u.id}>
              {u.name || u.username}
            </option>
          ))}
      </select>
    </label>
  )
}

/** The sales pipeline: one column per stage, deals dragged (or carried by keyboard) across. */
export default function PipelinePage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const { user } = useAuth()
  const qc = useQueryClient()
  const [chosenPipeline, setChosenPipeline] = useState<number | null>(null)
  const [owner, setOwner] = useState('')
  const [editing, setEditing] = useState<Deal | 'new' | null>(null)
  const [dragging, setDragging] = useState<Deal | null>(null)
  const [settings, setSettings] = useState(false)

  const query: BoardQuery = { ownerId: owner ? Number(owner) : null }
  const boardKey = keys.pipelineBoard(query)
  const boardQ = useQuery(pipelineBoardQuery(query))
  const board = boardQ.data
  const pipeline =
    board?.pipelines.find((p) => p.id === chosenPipeline) ?? board?.pipelines[0] ?? null

  const sensors = useSensors(
    // A short drag threshold: a click still opens the deal.
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: columnKeyboard,
      keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space', 'Enter'] },
    }),
  )

  // Optimistic: the card lands at once; the server's answer (and its exact totals) follow.
  const move = useMutation({
    mutationFn: ({ dealId, stageId }: { dealId: number; stageId: number }) =>
      unwrap(
        client.PATCH('/api/pipeline/deals/{deal_id}', {
          params: { path: { deal_id: dealId } },
          body: { stageId },
        }),
      ),
    onMutate: async ({ dealId, stageId }) => {
      await qc.cancelQueries({ queryKey: boardKey })
      const previous = qc.getQueryData<PipelineBoard>(boardKey)
      if (previous) qc.setQueryData(boardKey, moveInBoard(previous, dealId, stageId))
      return { previous }
    },
    onError: (_err, _vars, context) => {
      if (context?.previous) qc.setQueryData(boardKey, context.previous)
    },
    onSettled: () => qc.invalidateQueries({ queryKey: keys.pipeline }),
  })

  if (!user) return null
  const stageOf = (id: string | number | undefined) =>
    pipeline?.stages.find((s) => `${STAGE_PREFIX}${s.id}` === String(id))

  const onDragStart = (e: DragStartEvent) => {
    setDragging((e.active.data.current as { deal?: Deal } | undefined)?.deal ?? null)
  }
  const onDragEnd = (e: DragEndEvent) => {
    setDragging(null)
    const deal = (e.active.data.current as { deal?: Deal } | undefined)?.deal
    const target = stageOf(e.over?.id)
    if (deal && target && target.id !== deal.stageId) {
      move.mutate({ dealId: deal.id, stageId: target.id })
    }
  }
  const titleOf = (id: string | number) =>
    pipeline?.stages.flatMap((s) => s.deals).find((d) => d.id === id)?.title ?? String(id)
  const announcements: Announcements = {
    onDragStart: ({ active }) => t('pipeline.announce.start', { title: titleOf(active.id) }),
    onDragOver: ({ active, over }) =>
      over
        ? t('pipeline.announce.over', { title: titleOf(active.id), stage: stageOf(over.id)?.name ?? '' })
        : undefined,
    onDragEnd: ({ active, over }) =>
      over
        ? t('pipeline.announce.end', { title: titleOf(active.id), stage: stageOf(over.id)?.name ?? '' })
        : t('pipeline.announce.cancel', { title: titleOf(active.id) }),
    onDragCancel: ({ active }) => t('pipeline.announce.cancel', { title: titleOf(active.id) }),
  }
  // A new deal starts in the currency most deals on the board use.
  const defaultCurrency = commonCurrency((pipeline?.stages ?? []).flatMap((s) => s.deals))

  return (
    <div className="pipeline-page" data-testid="pipeline-page">
      <div className="pipeline-toolbar">
        <h1>{t('pipeline.title')}</h1>
        {board && board.pipelines.length > 1 && (
          <label className="field">
            <span>{t('pipeline.pipeline')}</span>
            <select
              data-testid="pipeline-select"
              value={pipeline?.id ?? ''}
              onChange={(e) => setChosenPipeline(Number(e.target.value))}
            >
              {board.pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <OwnerFilter me={user} value={owner} onChange={setOwner} />
        {isOverseer(user.role) && pipeline && (
          <button
            type="button"
            className="btn btn-ghost"
            data-testid="pipeline-settings"
            onClick={() => setSettings(true)}
          >
            {t('pipeline.editStages')}
          </button>
        )}
        <button
          type="button"
          className="btn btn-primary"
          data-testid="deal-new"
          disabled={!pipeline || pipeline.stages.length === 0}
          onClick={() => setEditing('new')}
        >
          {t('pipeline.newDeal')}
        </button>
      </div>
      <p className="muted small" id="pipeline-help">
        {t('pipeline.keyboardHelp')}
      </p>
      <InlineError error={boardQ.error} onRetry={() => void boardQ.refetch()} />
      {move.error != null && (
        <p className="form-error" role="alert" data-testid="pipeline-move-error">
          {errorMessage(move.error, t)}
        </p>
      )}
      {!board ? (
        boardQ.error == null && <div className="muted pad">{t('common.loading')}</div>
      ) : !pipeline ? (
        <div className="muted pad">{t('pipeline.noPipelines')}</div>
      ) : (
        <DndContext
          sensors={sensors}
          collisionDetection={rectIntersection}
          onDragStart={onDragStart}
          onDragEnd={onDragEnd}
          onDragCancel={() => setDragging(null)}
          accessibility={{
            announcements,
            screenReaderInstructions: { draggable: t('pipeline.keyboardHelp') },
          }}
        >
          <div className="pipeline-board" data-testid="pipeline-board">
            {pipeline.stages.map((s) => (
              <StageColumn key={s.id} stage={s} lang={lang} onOpen={setEditing} />
            ))}
          </div>
          <DragOverlay>
            {dragging && (
              <div className="deal-card deal-card-overlay">
                <CardBody deal={dragging} lang={lang} onOpen={() => {}} />
              </div>
            )}
          </DragOverlay>
        </DndContext>
      )}
      {settings && pipeline && (
        <StagesDialog
          key={pipeline.id}
          pipeline={pipeline}
          onCreated={setChosenPipeline}
          onClose={() => setSettings(false)}
        />
      )}
      {editing !== null && pipeline && (
        <DealDialog
          key={editing === 'new' ? 'new' : editing.id}
          deal={editing === 'new' ? null : editing}
          stages={pipeline.stages}
          me={user}
          defaultCurrency={defaultCurrency}
          onClose={() => setEditing(null)}
        />
      )}
    </div>
  )
}
