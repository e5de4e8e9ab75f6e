/**
 * The model endpoint's probe shared on a real Redis: Motia runs each step in its own process,
 * and each would otherwise probe the endpoint once. Against the scripted OpenAI-compatible server
 * on loopback (counting `GET /models`) and a loopback server that answers every probe 503.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelRuntimeCache } from '../../agents/runtime/runtime'
import { cicdConfigSchema } from '../../shared/config/schema'
import { probeCacheKey, RedisProbeCache } from '../../shared/redis/probe-cache'
import { ScriptedOpenAIServer } from '../helpers/openai-server'
import { testRedisUrl } from '../helpers/services'

const llm = (over: Record<string, unknown>) => cicdConfigSchema.parse({ defaults: { llm: over } }).defaults.llm

let server: ScriptedOpenAIServer
let down: Server
let downURL = ''
let downProbes = 0
const clients: Redis[] = []
const redis = () => {
  const r = new Redis(testRedisUrl(12), { maxRetriesPerRequest: 1 })
  clients.push(r)
  return r
}

beforeAll(async () => {
  server = await new ScriptedOpenAIServer().start()
  down = createServer((req, res) => {
    downProbes++
    res.statusCode = 503
    res.end('{"error":"loading"}')
  })
  await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve))
  downURL = `http://127.0.0.1:${(down.address() as AddressInfo).port}/v1`
})
afterAll(async () => {
  for (const r of clients) r.disconnect()
  await server.stop()
  await new Promise((resolve) => down.close(resolve))
})

describe('the probe of the model endpoint, shared on Redis', () => {
  it('two processes (two caches, two connections) probe a live endpoint once', async () => {
    server.resetCounts()
    const cfg = llm({ base_url: server.baseURL })
    const a = await new ModelRuntimeCache({ probeCache: new RedisProbeCache(redis()) }).get(cfg, {})
    const b = await new ModelRuntimeCache({ probeCache: new RedisProbeCache(redis()) }).get(cfg, {})
    expect(a.client).not.toBeNull()
    expect(b.client).not.toBeNull()
    expect(server.probes).toBe(1)
    // without the shared cache, each process probes
    await new ModelRuntimeCache().get(cfg, {})
    expect(server.probes).toBe(2)
  })

  it('a down endpoint found by one process is baseline for the others without a probe, until the TTL ends', async () => {
    downProbes = 0
    const cfg = llm({ base_url: downURL })
    const key = probeCacheKey(downURL)
    const first = await new ModelRuntimeCache({ probeCache: new RedisProbeCache(redis()), retryUnavailableMs: 1500 }).get(cfg, {})
    expect(first).toMatchObject({ client: null, status: 'unavailable' })
    const reason = 'reason' in first ? first.reason : ''
    expect(reason).toContain('answered 503')
    const ttl = await clients[0]!.pttl(key)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(1500)
    const second = await new ModelRuntimeCache({ probeCache: new RedisProbeCache(redis()), retryUnavailableMs: 1500 }).get(cfg, {})
    expect(second).toMatchObject({ client: null, status: 'unavailable', reason })
    expect(downProbes).toBe(1)
    await new Promise((r) => setTimeout(r, 1700))
    await new ModelRuntimeCache({ probeCache: new RedisProbeCache(redis()), retryUnavailableMs: 1500 }).get(cfg, {})
    expect(downProbes).toBe(2) // the shared result expired: probed again
  })

  it('the key is a hash of the endpoint: credentials in a base URL never become a Redis key', () => {
    const key = probeCacheKey('http://user:s3cret@127.0.0.1:11434/v1')
    expect(key).toMatch(/^cicd:llm:probe:[0-9a-f]{32}$/)
    expect(key).not.toContain('s3cret')
  })

  it('Redis unreachable: the process probes the endpoint itself, quickly', async () => {
    server.resetCounts()
    const dead = new Redis('redis://127.0.0.1:9', { maxRetriesPerRequest: 0, lazyConnect: true, enableOfflineQueue: true, retryStrategy: () => null })
    dead.on('error', () => undefined)
    clients.push(dead)
    const t0 = Date.now()
    const rt = await new ModelRuntimeCache({ probeCache: new RedisProbeCache(dead) }).get(llm({ base_url: server.baseURL }), {})
    expect(rt.client).not.toBeNull()
    expect(server.probes).toBe(1)
    expect(Date.now() - t0).toBeLessThan(5000)
  })

  it('a malformed shared value counts as nothing known', async () => {
    server.resetCounts()
    const r = redis()
    await r.set(probeCacheKey(server.baseURL), '{"ok":"maybe"}', 'PX', 10_000)
    const rt = await new ModelRuntimeCache({ probeCache: new RedisProbeCache(r) }).get(llm({ base_url: server.baseURL }), {})
    expect(rt.client).not.toBeNull()
    expect(server.probes).toBe(1)
    await r.del(probeCacheKey(server.baseURL))
  })
})
