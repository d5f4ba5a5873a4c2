import { defineConfig } from 'vite';

// The operator console. Served by the server at /console/ (CONSOLE_ENABLED=true) from dist/; its API is /console/api.
// JSX is compiled by esbuild (tsconfig.json: jsx react-jsx, jsxImportSource preact): no Babel, a fast build.
// `pnpm --filter @minigate/console dev` serves the page with hot reload and sends /console/api to a local server.
const DEV_SERVER = 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Everything is bundled: no CDN, no external fonts; a small page needs no source maps in production.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    // @trpc's modules have no side effects: what the page does not use (WebSocket and streaming links,
    // subscriptions) is left out, as scripts/build.mjs does for the game's client.
    rollupOptions: { treeshake: { moduleSideEffects: (id) => !id.includes('/@trpc/') } },
  },
  server: { proxy: { '/console/api': DEV_SERVER } },
});
