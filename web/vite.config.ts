// The dashboard UI: built into web/dist, which the Fastify app serves at /.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/mj', '/suno', '/v1', '/task'].map((p) => [p, 'http://127.0.0.1:3000']),
    ),
  },
});
