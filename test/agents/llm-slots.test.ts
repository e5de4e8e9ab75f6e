/**
 * defaults.llm.concurrency across processes: real child processes (each with its own Redis
 * connection, the server's model runtime from shared/server/services.ts), real Redis, and the
 * scripted OpenAI-compatible server on loopback counting the requests in flight.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { OpenAICompatibleClient } from '../../agents/runtime/openai-compatible-client'
import { FallbackSlots, LocalSlots } from '../../agents/runtime/slots'
import { RedisSemaphore } from '../../shared/redis/semaphore'
import { modelSlotsKey } from '../../shared/server/services'
import { ScriptedOpenAIServer } from '../helpers/openai-server'
import { testRedisUrl } from '../helpers/services'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const WORKER = path.join(ROOT, 'test/helpers/llm-slot-worker.ts')
const answer = JSON.stringify({ ok: true, reasons: ['fine'] })
const schema = z.object({ ok: z.boolean(), reasons: z.array(z.string()) })

let server: ScriptedOpenAIServer
let redis: Redis
const children: ChildProcess[] = []

beforeAll(async () => {
  server = await new ScriptedOpenAIServer().start()
  redis = new Redis(testRedisUrl(12), { maxRetriesPerRequest: 1 })
})
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  redis.disconnect()
  await server.stop()
})

interface WorkerResult {
  results?: Array<{ ok: boolean; kind?: string; message?: string; waitMs: number; latencyMs?: number }>
  error?: string
}

interface Worker {
  child: ChildProcess
  ready: Promise<void>
  go(): void
  done: Promise<WorkerResult>
}

function worker(llm: Record<string, unknown>, calls: number, redisUrl: string): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: redisUrl, WORKER_LLM: JSON.stringify(llm), WORKER_CALLS: String(calls), OLLAMA_BASE_URL: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  let err = ''
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()))
  const ready = new Promise<void>((resolve) => child.stdout?.on('data', () => out.startsWith('ready\n') && resolve()))
  const done = new Promise<WorkerResult>((resolve, reject) =>
    child.on('exit', (code, signal) => {
      const line = out.trim().split('\n').at(-1) ?? ''
      try {
        resolve(JSON.parse(line) as WorkerResult)
      } catch {
        reject(new Error(`worker exited ${code ?? signal} without a result: ${err.slice(-2000)}`))
      }
    }),
  )
  done.catch(() => undefined) // a killed worker has no result; awaiting it still rejects
  return { child, ready, go: () => child.stdin?.end('go\n'), done }
}

/** Starts the workers, then lets them ask at once. */
async function together(workers: Worker[]): Promise<WorkerResult[]> {
  await Promise.race([Promise.all(workers.map((w) => w.ready)), Promise.all(workers.map((w) => w.done))])
  for (const w of workers) w.go()
  return Promise.all(workers.map((w) => w.done))
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('model slots across processes (Redis semaphore; scripted OpenAI-compatible server)', () => {
  it('4 processes × 3 calls never have more than concurrency=2 requests in flight', async () => {
    server.otherwise = { delayMs: 250, content: answer }
    server.resetCounts()
    const llm = { enabled: 'on', base_url: server.baseURL, concurrency: 2, timeout: '20s' }
    const out = await together(Array.from({ length: 4 }, () => worker(llm, 3, testRedisUrl(12))))
    const results = out.flatMap((o) => o.results ?? [])
    expect(out.map((o) => o.error).filter(Boolean)).toEqual([])
    expect(results).toHaveLength(12)
    expect(results.every((r) => r.ok), JSON.stringify(results)).toBe(true)
    expect(server.maxInFlight).toBe(2) // reached, never passed
    expect(results.filter((r) => r.waitMs >= 200).length).toBeGreaterThanOrEqual(6) // 12 calls of 250 ms through 2 slots: most waited
    expect(await redis.zcard(modelSlotsKey(server.baseURL))).toBe(0) // every slot released
  }, 180_000)

  it('without Redis each process keeps only its own limit (what the semaphore prevents)', async () => {
    server.otherwise = { delayMs: 400, content: answer }
    server.resetCounts()
    const llm = { enabled: 'on', base_url: server.baseURL, concurrency: 2, timeout: '20s' }
    const out = await together(Array.from({ length: 3 }, () => worker(llm, 2, 'redis://127.0.0.1:9/0'))) // nothing listens on port 9
    const results = out.flatMap((o) => o.results ?? [])
    expect(results.filter((r) => r.ok)).toHaveLength(6)
    expect(server.maxInFlight).toBeGreaterThan(2)
  }, 180_000)

  it('a holder killed without releasing frees its slot when its lease ends', async () => {
    server.otherwise = undefined
    server.answer({ delayMs: 60_000, content: answer })
    server.resetCounts()
    const llm = { enabled: 'on', base_url: server.baseURL, concurrency: 1, timeout: '6s' }
    const holder = worker(llm, 1, testRedisUrl(12))
    await holder.ready
    holder.go()
    await until(() => server.inFlight === 1, 30_000)
    holder.child.kill('SIGKILL')
    await until(() => server.inFlight === 0, 5000) // its connection is gone…
    const key = modelSlotsKey(server.baseURL)
    const [, expiry] = await redis.zrange(key, 0, -1, 'WITHSCORES')
    const [sec, micro] = await redis.time()
    const leaseLeft = Number(expiry) - (Number(sec) * 1000 + Number(micro) / 1000)
    expect(leaseLeft).toBeGreaterThan(0) // …but not its slot, which lasts the holder's budget (6 s) plus a margin (1 s)
    expect(leaseLeft).toBeLessThanOrEqual(7000)
    const slots = () => new FallbackSlots(new RedisSemaphore(redis, { key, limit: 1 }), new LocalSlots(1))
    const client = (timeoutMs: number) => new OpenAICompatibleClient({ baseURL: server.baseURL, model: 'm', timeoutMs, concurrency: 1, slots: slots() })
    const early = await client(300).generate({ agent: 'build', schema, system: 'Answer.', prompt: 'p' })
    expect(early).toMatchObject({ ok: false, kind: 'timeout' })
    if (!early.ok) expect(early.message).toMatch(/no model slot free within 300 ms \(1 call\(s\) at once per redis\)/)
    server.answer({ content: answer })
    const later = await client(15_000).generate({ agent: 'build', schema, system: 'Answer.', prompt: 'p' })
    expect(later.ok, JSON.stringify(later)).toBe(true)
    expect(await redis.zcard(key)).toBe(0)
  }, 180_000)
})
