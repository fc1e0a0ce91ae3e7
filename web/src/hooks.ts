import { useCallback, useEffect, useState } from 'react'

/** Current time, refreshed every `intervalMs` (for relative timestamps). */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), intervalMs)
    return () => window.clearInterval(id)
  }, [intervalMs])
  return now
}

/** `value`, but only after it stopped changing for `delayMs`. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value)
  useEffect(() => {
    const id = window.setTimeout(() => setDebounced(value), delayMs)
    return () => window.clearTimeout(id)
  }, [value, delayMs])
  return debounced
}

/**
 * A row action that asks first (delete, deactivate): the row being confirmed, whether
 * the action runs, and its error. `run` closes the dialog when the action succeeds;
 * with `keepError` the previous error stays shown while it runs (e.g. a 409 offering
 * another way out).
 */
export function useConfirmedAction<T>() {
  const [target, setTarget] = useState<T | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const ask = useCallback((row: T) => {
    setError(null)
    setTarget(row)
  }, [])
  const cancel = useCallback(() => {
    setTarget(null)
    setError(null)
  }, [])
  const run = async (action: (row: T) => Promise<void>, keepError = false) => {
    if (target === null) return
    setBusy(true)
    if (!keepError) setError(null)
    try {
      await action(target)
      setTarget(null)
      setError(null)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return { target, busy, error, ask, cancel, run }
}
