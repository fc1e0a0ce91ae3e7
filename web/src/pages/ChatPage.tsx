import { useCallback } from 'react'
import { useParams } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import ConversationList from '../components/ConversationList'
import MessagePane from '../components/MessagePane'
import { useConversationList } from '../useConversationList'
import type { Conversation } from '../api/types'

export default function ChatPage() {
  const { t } = useTranslation()
  const { conversationId } = useParams()
  const parsed = conversationId ? Number(conversationId) : NaN
  const selectedId = Number.isInteger(parsed) && parsed > 0 ? parsed : null
  const list = useConversationList()
  const { upsert } = list
  // Answers of the open conversation only refresh entries that are already listed.
  const updateConversation = useCallback((c: Conversation) => upsert(c, false), [upsert])

  return (
    <div className={`chat-layout ${selectedId ? 'has-selection' : ''}`}>
      <ConversationList list={list} selectedId={selectedId} />
      {selectedId ? (
        <MessagePane key={selectedId} conversationId={selectedId} onConversation={updateConversation} />
      ) : (
        <section className="pane pane-empty pane-placeholder">
          <div className="placeholder-card">
            <h2>{t('app.name')}</h2>
            <p className="muted">{t('chat.selectConversation')}</p>
          </div>
        </section>
      )}
    </div>
  )
}
