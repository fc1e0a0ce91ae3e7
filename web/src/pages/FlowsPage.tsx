import { Navigate, useParams } from 'react-router-dom'
import FlowBuilder from '../components/flows/FlowBuilder'
import FlowList from '../components/flows/FlowList'

/**
 * Bot flows: `/flows` lists them, `/flows/:flowId` opens one in the builder.
 * Admins manage them; supervisors read them (no edit controls).
 */
export default function FlowsPage() {
  const { flowId } = useParams()
  if (flowId === undefined) return <FlowList />
  const id = Number(flowId)
  if (!Number.isInteger(id) || id <= 0) return <Navigate to="/flows" replace />
  // keyed: another flow starts a fresh builder
  return <FlowBuilder key={id} flowId={id} />
}
