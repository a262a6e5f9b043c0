import { defineConfig } from 'vitest/config';

// Workspace packages are tested from their sources: the '@govtrust/source' export condition
// points at src/*.ts, so `pnpm test` works right after `pnpm install` with no build step.
export default defineConfig({
  resolve: { conditions: ['@govtrust/source'] },
  ssr: { resolve: { conditions: ['@govtrust/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'server/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
