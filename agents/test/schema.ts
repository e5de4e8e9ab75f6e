import { z } from 'zod'

export const testCategory = z.enum(['unit', 'integration', 'e2e'])

export const testDecisionSchema = z.object({
  /** `all`: every test; `affected`: the tests related to the change; `none`: nothing to test. */
  mode: z.enum(['all', 'affected', 'none']),
  selected: z.array(z.object({ file: z.string(), category: testCategory, reasons: z.array(z.string()) })),
  skipped: z.array(z.object({ file: z.string(), category: testCategory, reason: z.string() })),
  /** Categories in the order they should run (fast feedback first). */
  order: z.array(testCategory),
  parallelism: z.number().int().min(1).max(64),
  estimatedDurationMs: z.number().nonnegative().nullable(),
  reasons: z.array(z.string()).min(1),
})

export type TestDecision = z.output<typeof testDecisionSchema>
