// The dashboard UI: built into web/dist, which the Fastify app serves at /.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Libraries in chunks of their own: they change less often than the app, so browsers keep them cached. Semi UI is
 * not forced into one: its package entry re-exports every widget, so a forced chunk holds all of Semi (775 kB JS,
 * 639 kB CSS); left alone, Rollup splits it along the pages that use each widget (docs/ui.md has the numbers).
 */
const VENDOR_CHUNKS: Array<[chunk: string, test: RegExp]> = [
  ['react', /node_modules\/(react|react-dom|scheduler|react-router)\//],
  ['i18n', /node_modules\/(i18next|react-i18next)\//],
  ['query', /node_modules\/@tanstack\//],
];

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 500,
    rollupOptions: {
      output: {
        manualChunks: (id) => VENDOR_CHUNKS.find(([, test]) => test.test(id))?.[0],
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/mj', '/suno', '/v1', '/task'].map((p) => [p, 'http://127.0.0.1:3000']),
    ),
  },
});
