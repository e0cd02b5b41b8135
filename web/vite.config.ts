import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev -w @bazaar/web` serves the app with hot reload and sends the API to a running gateway
// (`npm start` in another terminal, or BAZAAR_GATEWAY_URL for one elsewhere).
const gateway = process.env.BAZAAR_GATEWAY_URL ?? 'http://localhost:8080';
const proxied = ['/api', '/docs', '/openapi.json', '/asyncapi.json', '/healthz', '/readyz', '/metrics'];

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    port: 5173,
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: gateway, changeOrigin: true }])),
  },
});
