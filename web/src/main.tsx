import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router-dom'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { i18nReady } from './i18n'
import './styles.css'
import App from './App'
import { AuthProvider } from './auth'
import { CacheSync } from './cacheSync'
import { SocketProvider } from './socket'

const root = document.getElementById('root')
if (!root) throw new Error('#root element missing')

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Socket.IO events keep the cache current (cacheSync.tsx): no polling on focus,
      // and an error shows at once with its retry button rather than after retries.
      refetchOnWindowFocus: false,
      retry: false,
    },
    mutations: { retry: false },
  },
})

function render() {
  createRoot(root!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AuthProvider>
            <SocketProvider>
              <CacheSync />
              <App />
            </SocketProvider>
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </StrictMode>,
  )
}

// First paint waits for the active language's strings (one small chunk).
void i18nReady.then(render, render)
