/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The C++ server (make run) listens on 3001 and serves web/dist; in development Vite serves the
// app on 5173 and forwards the API and the signaling WebSocket to it.
const server = process.env.MEDICALL_SERVER ?? 'http://localhost:3001';

export default defineConfig({
  plugins: [react()],
  // Some of the SDK's AWS dependencies still reference Node's `global`.
  define: { global: 'globalThis' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2500,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/join': { target: server, changeOrigin: true },
      '/api': { target: server, changeOrigin: true },
      '/meetings': { target: server, changeOrigin: true },
      '/control': { target: server, changeOrigin: true, ws: true },
    },
  },
  preview: { port: 4173 },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    restoreMocks: true,
  },
});
