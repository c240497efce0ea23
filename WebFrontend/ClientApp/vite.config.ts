import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Hashed file names under /assets are cached for a year by the front end; index.html is never cached.
// `npm run dev` proxies the product's routes to a front end on 8080, so the page still talks only to the public API.
const api = 'http://127.0.0.1:8080';
const proxied = ['/auth', '/api', '/v1', '/relay', '/health', '/healthz', '/readyz', '/dashboard', '/openapi', '/docs'];

export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    proxy: Object.fromEntries([
      ...proxied.map((path) => [path, api]),
      ['/ws', { target: api.replace('http', 'ws'), ws: true }],
    ]),
  },
});
