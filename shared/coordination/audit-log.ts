import type { Redis } from 'ioredis'
import { z } from 'zod'
import type { CoordinationKeys } from './keys'

export const AUDIT_RESULTS = ['queued', 'executed', 'refused', 'rejected', 'failed', 'duplicate', 'retrying'] as const
export type AuditResult = (typeof AUDIT_RESULTS)[number]

/**
 * One line of the audit log: what (the command), for whom (repository, pull request, who asked),
 * when, and the result. `rejected`: invalid or not on the allow-list, never executed; `refused`:
 * valid, but its preconditions failed (a merge with a failing check); `failed`: GitHub or the
 * webhook said no, or it kept failing.
 */
export interface AuditEntry {
  id: string
  at: string
  /** The command's type (an invalid message: its type as given, or `(invalid)`). */
  command_type: string
  /** `ci:commands`, or the channel of a rejected message that was not a command. */
  channel?: string
  repo?: string
  pr_number?: number
  source?: string
  requested_by?: string
  idempotency_key?: string
  queue?: string
  entry_id?: string
  result: AuditResult
  reason?: string
  instance?: string
}

export type AuditRecord = Omit<AuditEntry, 'id' | 'at'>

export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next` of the previous page. */
  before: z
    .string()
    .regex(/^\d+-\d+$/, 'an audit entry id like 1731000000000-0')
    .optional(),
  repo: z.string().min(1).max(200).optional(),
  result: z.enum(AUDIT_RESULTS).optional(),
  type: z.string().min(1).max(40).optional(),
})
export type AuditQuery = z.output<typeof auditQuerySchema>

/** A Redis stream, newest last, trimmed to about `maxLen` entries; shared by every instance. */
export class AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CoordinationKeys,
    private readonly maxLen = 10_000,
  ) {}

  async record(entry: AuditRecord): Promise<string> {
    const at = new Date().toISOString()
    const id = await this.redis.xadd(this.keys.audit, 'MAXLEN', '~', this.maxLen, '*', 'entry', JSON.stringify({ at, ...entry }))
    return id ?? ''
  }

  /** Newest first; filters are applied while paging back through at most `scanLimit` entries. */
  async list(q: AuditQuery, scanLimit = 5000): Promise<{ entries: AuditEntry[]; next: string | null }> {
    const entries: AuditEntry[] = []
    let end = q.before ? `(${q.before}` : '+'
    let scanned = 0
    let lastId: string | null = null
    while (entries.length < q.limit && scanned < scanLimit) {
      const batch = await this.redis.xrevrange(this.keys.audit, end, '-', 'COUNT', 200)
      if (batch.length === 0) return { entries, next: null }
      for (const [id, fields] of batch) {
        scanned++
        lastId = id
        const e = decode(id, fields)
        if (!e) continue
        if (q.repo && e.repo?.toLowerCase() !== q.repo.toLowerCase()) continue
        if (q.result && e.result !== q.result) continue
        if (q.type && e.command_type !== q.type) continue
        entries.push(e)
        if (entries.length === q.limit) return { entries, next: id }
      }
      end = `(${lastId}`
    }
    return { entries, next: lastId }
  }
}

function decode(id: string, fields: string[]): AuditEntry | null {
  const i = fields.indexOf('entry')
  if (i < 0) return null
  try {
    const value = JSON.parse(fields[i + 1] ?? '') as Omit<AuditEntry, 'id'>
    return { id, ...value }
  } catch {
    return null
  }
}
