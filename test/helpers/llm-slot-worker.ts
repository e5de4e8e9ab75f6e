/**
 * A process that asks the model as a server step does: the process's model runtime from
 * shared/server/services.ts (Redis slots from REDIS_URL, else this process's), `WORKER_CALLS`
 * calls at once. Prints one JSON line with each call's result, then exits.
 */
import { z } from 'zod'
import { cicdConfigSchema } from '../../shared/config/schema'
import { modelRuntime } from '../../shared/server/services'

const llm = cicdConfigSchema.parse({ defaults: { llm: JSON.parse(process.env.WORKER_LLM ?? '{}') as unknown } }).defaults.llm
const calls = Number(process.env.WORKER_CALLS ?? 1)
const schema = z.object({ ok: z.boolean(), reasons: z.array(z.string()) })

const runtime = await modelRuntime(llm)
if (!runtime.client) {
  process.stdout.write(`${JSON.stringify({ error: runtime.reason })}\n`)
  process.exit(2)
}
const client = runtime.client
process.stdout.write('ready\n')
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
const results = await Promise.all(
  Array.from({ length: calls }, async (_, i) => {
    const r = await client.generate({ agent: 'build', schema, system: 'Answer.', prompt: `call ${process.pid}/${i}` })
    return r.ok ? { ok: true, latencyMs: r.latencyMs, waitMs: r.waitMs } : { ok: false, kind: r.kind, message: r.message, waitMs: r.waitMs }
  }),
)
process.stdout.write(`${JSON.stringify({ results })}\n`)
process.exit(0)
