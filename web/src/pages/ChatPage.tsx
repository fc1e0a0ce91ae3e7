import { useCallback, useLayoutEffect, useState } from 'react'
import { useParams } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import ConversationList from '../components/ConversationList'
import MessagePane from '../components/MessagePane'
import CustomerPanel, {
  PANEL_SHORTCUT,
  PANEL_STORAGE_KEY,
} from '../components/contacts/CustomerPanel'
import { conversationQuery } from '../api/queries'
import { useConversationList } from '../useConversationList'
import type { Conversation } from '../api/types'

function storedPanel(): boolean {
  try {
    return window.localStorage.getItem(PANEL_STORAGE_KEY) === 'open'
  } catch {
    return false
  }
}

/** Whether the customer panel shows: toggled by its button or Alt+C, remembered. */
function useCustomerPanel(): [boolean, () => void] {
  const [open, setOpen] = useState(storedPanel)
  const toggle = useCallback(() => {
    setOpen((was) => {
      try {
        window.localStorage.setItem(PANEL_STORAGE_KEY, was ? 'closed' : 'open')
      } catch {
        // private mode: the choice lasts until the page reloads
      }
      return !was
    })
  }, [])
  // A layout effect, so the key listener is there as soon as this shows (Preact runs plain
  // effects a frame later, and an Escape pressed in between would be lost).
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey === PANEL_SHORTCUT.altKey && e.key.toLowerCase() === PANEL_SHORTCUT.key) {
        e.preventDefault()
        toggle()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [toggle])
  return [open, toggle]
}

export default function ChatPage() {
  const { t } = useTranslation()
  const { conversationId } = useParams()
  const parsed = conversationId ? Number(conversationId) : NaN
  const selectedId = Number.isInteger(parsed) && parsed > 0 ? parsed : null
  const list = useConversationList()
  const { upsert } = list
  // Answers of the open conversation only refresh entries that are already listed.
  const updateConversation = useCallback((c: Conversation) => upsert(c, false), [upsert])
  const [panelOpen, togglePanel] = useCustomerPanel()
  const selected = useQuery({ ...conversationQuery(selectedId ?? 0), enabled: selectedId !== null })
  const showPanel = panelOpen && selectedId !== null && selected.data !== undefined

  return (
    <div
      className={`chat-layout ${selectedId ? 'has-selection' : ''} ${showPanel ? 'with-panel' : ''}`}
    >
      <ConversationList list={list} selectedId={selectedId} />
      {selectedId ? (
        <MessagePane
          key={selectedId}
          conversationId={selectedId}
          onConversation={updateConversation}
          panelOpen={panelOpen}
          onTogglePanel={togglePanel}
        />
      ) : (
        <section className="pane pane-empty pane-placeholder">
          <div className="placeholder-card">
            <h2>{t('app.name')}</h2>
            <p className="muted">{t('chat.selectConversation')}</p>
          </div>
        </section>
      )}
      {showPanel && selected.data && (
        <CustomerPanel conversation={selected.data} onClose={togglePanel} />
      )}
    </div>
  )
}
