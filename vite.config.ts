/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// One Vite build for the three surfaces (TV, shelter tablet, operator dashboard), each an entry
// page; the platform serves `dist/stb-ui`. The `test` block configures vitest for the whole repo.
export default defineConfig({
  root: here('./stb-ui'),
  base: '/',
  build: {
    outDir: here('./dist/stb-ui'),
    emptyOutDir: true,
    target: 'es2020',
    rollupOptions: {
      input: {
        tv: here('./stb-ui/tv/index.html'),
        shelter: here('./stb-ui/shelter/index.html'),
        operator: here('./stb-ui/operator/index.html'),
      },
    },
  },
  test: {
    root: here('.'),
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    // Migrates one database per run; each test file's database starts as a copy of it.
    globalSetup: ['test/helpers/database-template.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: each file gets its own database, so two workers keep the machine responsive.
    maxWorkers: 2,
    // CI asks for a JSON report too, so .ci/run can print one closing count for the whole run.
    reporters: process.env.TEST_REPORT_DIR ? ['default', 'json'] : ['default'],
    outputFile: { json: `${process.env.TEST_REPORT_DIR ?? 'test-results'}/vitest.json` },
  },
});
