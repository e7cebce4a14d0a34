import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server serves dist/ at `/` (see packages/server/src/server.ts, findAdminUi) and answers
// unknown GETs with index.html, so the app routes on the client.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: { conditions: ['@chatloom/source'] },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { '/api': 'http://localhost:3000', '/docs': 'http://localhost:3000' },
  },
});
