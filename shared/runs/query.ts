import { z } from 'zod'
import { runStatus } from './model'
import type { RunQuery } from './store'

const one = (v: unknown) => (Array.isArray(v) ? v[0] : v)

/** GET /api/cicd/runs query: `repo`, `status`, `limit` (1..200, default 20), `offset`. */
export const runQuerySchema = z.object({
  repo: z.preprocess(one, z.string().min(1).optional()),
  status: z.preprocess(one, runStatus.optional()),
  limit: z.preprocess(one, z.coerce.number().int().min(1).max(200).default(20)),
  offset: z.preprocess(one, z.coerce.number().int().min(0).default(0)),
})

export function parseRunQuery(q: Record<string, unknown>): z.ZodSafeParseResult<RunQuery> {
  return runQuerySchema.safeParse(q) as z.ZodSafeParseResult<RunQuery>
}
