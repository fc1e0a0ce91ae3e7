import { client, unwrap } from '../../api/client'
import { fileNameOf } from '../../flowTree'

/** Downloads a flow as its export document (a JSON file `POST /api/flows/import` takes back). */
export async function downloadFlow(flowId: number, version?: number | 'published'): Promise<void> {
  const doc = await unwrap(
    client.GET('/api/flows/{flow_id}/export', {
      params: { path: { flow_id: flowId }, query: { version: version === undefined ? undefined : String(version) } },
    }),
  )
  const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileNameOf(doc.name, doc.version)
  document.body.appendChild(link)
  link.click()
  link.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 1000)
}
