import { useTranslation } from 'react-i18next'
import { useSocket } from '../socket'

export default function SocketIndicator() {
  const { t } = useTranslation()
  const { state } = useSocket()
  const connected = state === 'connected'
  const label = t(`socket.${state}`)
  return (
    <span
      className={`socket-status socket-${state}`}
      data-testid="socket-status"
      data-state={connected ? 'connected' : 'disconnected'}
      title={label}
      role="status"
    >
      <span className="socket-dot" aria-hidden="true" />
      <span className="socket-label">{label}</span>
    </span>
  )
}
