import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const backend = process.env.HELPLINE_BACKEND ?? 'http://localhost:4000'

// https://vite.dev/config/
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    // The Python server serves this folder at "/" (with SPA fallback).
    outDir: '../helpline/console_dist',
    emptyOutDir: true,
    // Read by scripts/bundle-size.mjs (which deletes it afterwards).
    manifest: true,
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/health': { target: backend, changeOrigin: false },
      '/socket.io': { target: backend, ws: true, changeOrigin: false },
    },
  },
})
