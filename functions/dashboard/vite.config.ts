// Builds the dashboard into functions/dashboard/dist, which the local HTTP server (and on AWS a static
// site) serves on the same origin as the API. `npm run build:dashboard`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Build-time overrides of src/config.ts defaults (a deployment can also set window.SHUDI_CONFIG). */
function buildConfig(): Record<string, string> {
  const out: Record<string, string> = {};
  if (process.env.SHUDI_API_BASE) out.apiBase = process.env.SHUDI_API_BASE;
  return out;
}

export default defineConfig({
  root,
  base: './',
  // public/config.js is copied as it is (a deployment replaces it); the repo's .env files are not ours.
  publicDir: 'public',
  envDir: false,
  define: {
    __SHUDI_BUILD_CONFIG__: JSON.stringify(buildConfig()),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: {
    // `npx vite --config functions/dashboard/vite.config.ts` during UI work, with the API on :3000.
    proxy: Object.fromEntries(
      ['/me', '/org-units', '/queues', '/cases', '/reports', '/dev', '/subjects', '/audit', '/health', '/imports', '/openapi.json', '/oidc', '/config.js'].map((p) => [
        p,
        process.env.SHUDI_API ?? 'http://localhost:3000',
      ]),
    ),
  },
});
