import { z } from 'zod'
import { invalidField, problem, type HttpAnswer, type IngressRequest } from '../ingress/answer'
import { checkBearer } from '../ingress/bearer'
import { auditQuerySchema } from './audit-log'
import { CHANNELS } from './messages'
import type { Publisher } from './publisher'

export interface CoordinationApiDeps {
  token: string | undefined
  publisher: Publisher
}

const publishBody = z.object({
  channel: z.enum(CHANNELS),
  message: z.record(z.string(), z.unknown()),
})

function redisDown(err: unknown): HttpAnswer {
  return problem(503, 'redis_unavailable', `the coordination store does not answer (${err instanceof Error ? err.message.slice(0, 120) : 'error'}); try again`)
}

/**
 * POST /api/cicd/publish `{channel, message}` with the API token: a command is queued (202), an
 * event or status is published (202). Invalid → 400 naming the field (`message.pr_number`); a
 * command the repository does not allow → 403; both are also on ci:status and in the audit log.
 */
export async function handlePublish(req: IngressRequest, deps: CoordinationApiDeps): Promise<HttpAnswer> {
  const denied = checkBearer(req, deps.token)
  if (denied) return denied
  const body = publishBody.safeParse(req.body)
  if (!body.success) return invalidField(body.error.issues)
  const { channel, message } = body.data
  try {
    const r = await deps.publisher.publish(channel, { source: 'api', ...message })
    if (!r.ok) {
      const field = r.field === '(message)' ? 'message' : `message.${r.field}`
      return problem(r.status, r.status === 403 ? 'not_allowed' : 'invalid_request', r.reason, { field })
    }
    if (r.channel === 'ci:commands') return { status: 202, body: { queued: !r.duplicate, duplicate: r.duplicate, queue: r.queue, id: r.id || null, idempotency_key: r.idempotency_key } }
    if (r.channel === 'ci:events') return { status: 202, body: { published: !r.duplicate, receivers: r.receivers, id: r.id } }
    return { status: 202, body: { published: true, receivers: r.receivers } }
  } catch (err) {
    return redisDown(err)
  }
}

/** The agents that sent a heartbeat within a day (older ones are forgotten). */
async function liveAgents(publisher: Publisher, agents: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const live: Array<Record<string, unknown>> = []
  for (const [name, json] of Object.entries(agents)) {
    let beat: { at?: unknown } & Record<string, unknown> = {}
    try {
      beat = JSON.parse(json) as typeof beat
    } catch {
      /* not ours: forgotten below */
    }
    if (typeof beat.at === 'string' && Date.now() - Date.parse(beat.at) < 86_400_000) live.push({ name, ...beat })
    else await publisher.deps.redis.hdel(publisher.deps.keys.agents, name)
  }
  return live.sort((a, b) => String(a.name).localeCompare(String(b.name)))
}

/** GET /api/cicd/commands?repo=&result=&type=&limit=&before= with the API token: the audit log, newest first. */
export async function handleListCommands(req: IngressRequest & { query: Record<string, string | string[] | undefined> }, deps: CoordinationApiDeps): Promise<HttpAnswer> {
  const denied = checkBearer(req, deps.token)
  if (denied) return denied
  const flat = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]))
  const q = auditQuerySchema.safeParse(flat)
  if (!q.success) return invalidField(q.error.issues)
  try {
    const { publisher } = deps
    const [page, agents, pending, waiting] = await Promise.all([publisher.audit.list(q.data), publisher.deps.redis.hgetall(publisher.deps.keys.agents), publisher.queues.pending(), publisher.queues.waiting()])
    const queues = Object.fromEntries(Object.keys(pending).map((k) => [k, { waiting: waiting[k] ?? 0, pending: pending[k] ?? 0 }]))
    return { status: 200, body: { commands: page.entries, next: page.next, queues, agents: await liveAgents(publisher, agents) } }
  } catch (err) {
    return redisDown(err)
  }
}
