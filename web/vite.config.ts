import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

const backend = process.env.HELPLINE_BACKEND ?? 'http://localhost:4000'

// https://vite.dev/config/
export default defineConfig({
  base: '/',
  // Preact (its compat layer) stands in for React and React DOM: the preset aliases `react`,
  // `react-dom` and `react/jsx-runtime` to it, compiles JSX for it and gives the dev server
  // hot reload (Prefresh). That takes ~200 kB off the first load (scripts/bundle-size.mjs).
  // Only the bundler swaps them: the code and its libraries import React, and tsc checks
  // against React's types. The build's IMPORT_IS_UNDEFINED warning about `useOptimistic` is
  // React Router probing for a hook Preact lacks; it falls back by itself.
  plugins: [preact()],
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
