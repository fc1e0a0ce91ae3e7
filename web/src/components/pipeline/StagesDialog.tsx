import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { keys } from '../../api/queries'
import type { BoardPipeline, BoardStage } from '../../api/types'
import { errorMessage } from '../../util'
import Modal from '../Modal'

interface Props {
  pipeline: BoardPipeline
  /** a pipeline was created: show it */
  onCreated: (pipelineId: number) => void
  onClose: () => void
}

interface StageFields {
  name: string
  colour: string
  isWon: boolean
  isLost: boolean
}

function StageRow({
  stage,
  first,
  last,
  onChange,
  busy,
}: {
  stage: BoardStage
  first: boolean
  last: boolean
  onChange: (stageId: number, change: Partial<StageFields & { position: number }> | 'delete') => void
  busy: boolean
}) {
  const { t } = useTranslation()
  const [name, setName] = useState(stage.name)
  // Saved when the picker closes, not on every step of it.
  const [colour, setColour] = useState(stage.colour)
  return (
    <li className="stage-edit-row" data-testid="stage-edit-row" data-stage-name={stage.name}>
      <input
        type="color"
        aria-label={t('pipeline.stageColour')}
        value={colour}
        onChange={(e) => setColour(e.target.value)}
        onBlur={() => {
          if (colour !== stage.colour) onChange(stage.id, { colour })
        }}
      />
      <input
        className="stage-edit-name"
        aria-label={t('pipeline.stageName')}
        data-testid="stage-edit-name"
        value={name}
        maxLength={80}
        onChange={(e) => setName(e.target.value)}
        onBlur={() => {
          if (name.trim() && name.trim() !== stage.name) onChange(stage.id, { name: name.trim() })
        }}
      />
      <label className="field-check">
        <input
          type="checkbox"
          checked={stage.isWon}
          onChange={(e) => onChange(stage.id, { isWon: e.target.checked, isLost: false })}
        />
        <span>{t('pipeline.won')}</span>
      </label>
      <label className="field-check">
        <input
          type="checkbox"
          checked={stage.isLost}
          onChange={(e) => onChange(stage.id, { isLost: e.target.checked, isWon: false })}
        />
        <span>{t('pipeline.lost')}</span>
      </label>
      <button
        type="button"
        className="btn btn-ghost btn-xs"
        aria-label={t('pipeline.moveLeft')}
        disabled={first || busy}
        onClick={() => onChange(stage.id, { position: stage.position - 1 })}
      >
        ←
      </button>
      <button
        type="button"
        className="btn btn-ghost btn-xs"
        aria-label={t('pipeline.moveRight')}
        disabled={last || busy}
        onClick={() => onChange(stage.id, { position: stage.position + 1 })}
      >
        →
      </button>
      <button
        type="button"
        className="btn btn-danger-text btn-xs"
        data-testid="stage-delete"
        disabled={busy}
        onClick={() => onChange(stage.id, 'delete')}
      >
        {t('common.delete')}
      </button>
    </li>
  )
}

/** Admins and supervisors: rename the pipeline, add, rename, colour, flag, reorder and
 * delete its stages, or start another pipeline. */
export default function StagesDialog({ pipeline, onCreated, onClose }: Props) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [pipelineName, setPipelineName] = useState(pipeline.name)
  const [newStage, setNewStage] = useState('')
  const [newPipeline, setNewPipeline] = useState('')
  const refresh = () => qc.invalidateQueries({ queryKey: keys.pipeline })

  const stage = useMutation({
    mutationFn: ({ id, change }: { id: number; change: Partial<StageFields & { position: number }> | 'delete' }) =>
      change === 'delete'
        ? unwrap(client.DELETE('/api/pipeline/stages/{stage_id}', { params: { path: { stage_id: id } } }))
        : unwrap(
            client.PATCH('/api/pipeline/stages/{stage_id}', {
              params: { path: { stage_id: id } },
              body: change,
            }),
          ),
    onSettled: refresh,
  })
  const addStage = useMutation({
    mutationFn: (name: string) =>
      unwrap(client.POST('/api/pipeline/stages', { body: { pipelineId: pipeline.id, name } })),
    onSuccess: () => setNewStage(''),
    onSettled: refresh,
  })
  const rename = useMutation({
    mutationFn: (name: string) =>
      unwrap(
        client.PATCH('/api/pipeline/{pipeline_id}', {
          params: { path: { pipeline_id: pipeline.id } },
          body: { name },
        }),
      ),
    onSettled: refresh,
  })
  const create = useMutation({
    mutationFn: (name: string) => unwrap(client.POST('/api/pipeline', { body: { name } })),
    onSuccess: (created) => {
      setNewPipeline('')
      onCreated(created.id)
    },
    onSettled: refresh,
  })
  const error = stage.error ?? addStage.error ?? rename.error ?? create.error
  const busy = stage.isPending || addStage.isPending

  const onAddStage = (e: FormEvent) => {
    e.preventDefault()
    if (newStage.trim()) addStage.mutate(newStage.trim())
  }
  const onCreate = (e: FormEvent) => {
    e.preventDefault()
    if (newPipeline.trim()) create.mutate(newPipeline.trim())
  }

  return (
    <Modal title={t('pipeline.settings')} testId="stages-dialog" wide onClose={onClose}>
      <label className="field">
        <span>{t('pipeline.pipelineName')}</span>
        <input
          data-testid="pipeline-name"
          value={pipelineName}
          maxLength={80}
          onChange={(e) => setPipelineName(e.target.value)}
          onBlur={() => {
            if (pipelineName.trim() && pipelineName.trim() !== pipeline.name)
              rename.mutate(pipelineName.trim())
          }}
        />
      </label>
      <h3 className="stage-edit-title">{t('pipeline.stages')}</h3>
      <ol className="stage-edit-list">
        {pipeline.stages.map((s, i) => (
          <StageRow
            key={s.id}
            stage={s}
            first={i === 0}
            last={i === pipeline.stages.length - 1}
            busy={busy}
            onChange={(id, change) => stage.mutate({ id, change })}
          />
        ))}
      </ol>
      <form className="form-row" onSubmit={onAddStage}>
        <label className="field field-grow">
          <span>{t('pipeline.newStage')}</span>
          <input
            data-testid="stage-new-name"
            value={newStage}
            maxLength={80}
            onChange={(e) => setNewStage(e.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-ghost form-row-button" disabled={!newStage.trim() || busy}>
          {t('pipeline.addStage')}
        </button>
      </form>
      <form className="form-row" onSubmit={onCreate}>
        <label className="field field-grow">
          <span>{t('pipeline.newPipeline')}</span>
          <input
            data-testid="pipeline-new-name"
            value={newPipeline}
            maxLength={80}
            onChange={(e) => setNewPipeline(e.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-ghost form-row-button" disabled={!newPipeline.trim()}>
          {t('pipeline.createPipeline')}
        </button>
      </form>
      {error != null && (
        <p className="form-error" role="alert" data-testid="stages-error">
          {errorMessage(error, t)}
        </p>
      )}
      <div className="modal-actions">
        <button type="button" className="btn btn-primary" onClick={onClose}>
          {t('pipeline.done')}
        </button>
      </div>
    </Modal>
  )
}
