import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server serves dist/ at /; `npm run dev -w apps/dashboard` proxies the API to a running Vigil.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The strict Content-Security-Policy allows no inline script or style: keep everything in files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8585' } },
});
