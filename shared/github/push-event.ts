import { z } from 'zod'

export const ZERO_SHA = '0000000000000000000000000000000000000000'

/** The part of GitHub's `push` payload the pipeline uses (the rest is ignored). */
export const pushPayloadSchema = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string().regex(/^[0-9a-f]{40}$/, 'a 40-character commit SHA'),
  deleted: z.boolean().optional(),
  repository: z.object({
    name: z.string(),
    full_name: z.string(),
    clone_url: z.string().optional(),
  }),
  pusher: z.object({ name: z.string().optional() }).optional(),
  sender: z.object({ login: z.string().optional() }).nullish(),
  head_commit: z
    .object({ id: z.string(), message: z.string() })
    .nullish(),
})

export type PushPayload = z.output<typeof pushPayloadSchema>

/** `refs/heads/main` → `main`; tags and other refs → null. */
export function branchOf(ref: string): string | null {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null
}
