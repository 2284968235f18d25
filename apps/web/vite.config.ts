import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the API runs beside vite; in every other setting it serves the built UI itself
// (same origin, so the session cookie needs no CORS).
const apiTarget = `http://127.0.0.1:${process.env.ZWECK_API_PORT ?? '4000'}`;

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/trpc': { target: apiTarget, changeOrigin: false },
      // Unsubscribe pages and the one-click endpoint live on the API.
      '/u': { target: apiTarget, changeOrigin: false },
      // Downloads that are files, not tRPC answers (the subject archive).
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across deployments.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 20 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
});
