import createClient from 'openapi-fetch'
import type { Middleware } from 'openapi-fetch'
import type { paths } from './openapi'

/** Error raised for any non-2xx answer (or a network failure, status 0). */
export class ApiError extends Error {
  readonly status: number
  /** the answer's field `errors` when it has them (pydantic's shape), else its `detail` */
  readonly detail: unknown
  /** the whole parsed answer (e.g. a refused publish lists its `problems` beside `detail`) */
  readonly body: unknown

  constructor(status: number, message: string, detail: unknown = null, body: unknown = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.body = body
  }
}

let csrfToken: string | null = null
let unauthorizedHandler: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called whenever an API call (other than login / the session probe) answers 401. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler
}

/** These answer 401 as part of their job: no "go to /login" for them. */
const SESSION_PATHS: ReadonlySet<string> = new Set([
  '/api/auth/login',
  '/api/auth/logout',
  '/api/auth/me',
])

const session: Middleware = {
  onRequest({ request, schemaPath }) {
    request.headers.set('Accept', 'application/json')
    // The session cookie goes by itself (same origin); writes also prove the CSRF token.
    if (request.method !== 'GET' && schemaPath !== '/api/auth/login' && csrfToken) {
      request.headers.set('X-CSRF-Token', csrfToken)
    }
    return request
  },
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && !SESSION_PATHS.has(schemaPath)) unauthorizedHandler?.()
    return undefined
  },
}

/** The typed API client (paths, bodies and answers from the server's OpenAPI spec). */
export const client = createClient<paths>({ credentials: 'same-origin' })
client.use(session)

interface PydanticError {
  loc?: unknown
  msg?: unknown
  type?: unknown
}

/** Turns a FastAPI `detail` (string or list of pydantic errors) into one line. */
export function detailToMessage(detail: unknown): string | null {
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail)) {
    const msgs = detail
      .map((d: PydanticError) => (d && typeof d.msg === 'string' ? d.msg : null))
      .filter((m): m is string => m !== null && m !== '')
    return msgs.length > 0 ? msgs.join('; ') : null
  }
  if (detail && typeof detail === 'object' && 'msg' in detail) {
    const msg = (detail as PydanticError).msg
    if (typeof msg === 'string') return msg
  }
  return null
}

interface Answer<D> {
  data?: D
  error?: unknown
  response: Response
}

/**
 * The answer's data, or an ApiError carrying the server's `detail` (status 0 when the
 * server could not be reached). An aborted request rejects with its AbortError.
 */
export async function unwrap<D>(request: Promise<Answer<D>>): Promise<D> {
  let answer: Answer<D>
  try {
    answer = await request
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, err instanceof Error ? err.message : String(err))
  }
  const { data, error, response } = answer
  if (response.ok) return data as D
  const body: unknown = error ?? null
  // Every refusal is an ErrorOut: `detail` one line; a request that did not validate also
  // lists its field `errors` (pydantic's shape), which the forms place next to their fields.
  const fields =
    body && typeof body === 'object' && 'errors' in body ? (body as { errors: unknown }).errors : null
  const raw = Array.isArray(fields)
    ? fields
    : body && typeof body === 'object' && 'detail' in body
      ? (body as { detail: unknown }).detail
      : null
  const message =
    (raw !== null ? detailToMessage(raw) : null) ??
    (response.statusText || `HTTP ${response.status}`)
  throw new ApiError(response.status, message, raw, typeof body === 'string' ? null : body)
}
