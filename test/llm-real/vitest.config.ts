import { defineConfig } from 'vitest/config'

/** The opt-in tier with a real inference engine (`npm run test:llm-real`); not part of the default projects. */
export default defineConfig({
  test: {
    name: 'llm-real',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/llm-real/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
})
