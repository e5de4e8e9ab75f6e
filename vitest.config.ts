import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Server end-to-end suites start their own Motia processes: keep the machine's 2 cores usable.
    maxWorkers: 2,
    reporters: ['default'],
  },
})
