import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Server end-to-end suites start their own Motia processes: keep the machine's 2 cores usable.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/scale/**', 'test/llm-real/**'], sequence: { groupOrder: 0 } } },
      // Several instances of the product at once fill every core: one file at a time, after the rest.
      { extends: true, test: { name: 'scale', include: ['test/scale/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
})
