/** What an instance does with requests while a Redis client is down, on fake clients (real outage: redis-outage.test.ts). */
import { EventEmitter } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { redisGate, registerRedisClient, unreadyRedisClients } from '../../shared/redis/availability'
import { isRedisConnectionError, keepRedisClientOpen } from '../../shared/redis/keep-open'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((f) => f()))

function call(gate: ReturnType<typeof redisGate>, url: string): Promise<{ next: boolean; status?: number; headers: Record<string, string>; body?: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {}
    const res = {
      statusCode: 200,
      setHeader: (k: string, v: string) => (headers[k] = v),
      end: (text: string) => resolve({ next: false, status: res.statusCode, headers, body: JSON.parse(text) as Record<string, unknown> }),
    }
    gate({ url } as IncomingMessage, res as unknown as ServerResponse, () => resolve({ next: true, headers }))
  })
}

describe('redisGate', () => {
  it('lets requests through while every client is ready', async () => {
    cleanups.push(registerRedisClient('a', () => true))
    expect(await call(redisGate(), '/api/cicd/runs?limit=1')).toMatchObject({ next: true })
  })

  it('answers 503 JSON with Retry-After for API paths while a client is down; /health and the Workbench pass', async () => {
    cleanups.push(registerRedisClient('a', () => true), registerRedisClient('motia', () => false))
    const gate = redisGate({ waitMs: 50 })
    const r = await call(gate, '/api/cicd/webhook/github')
    expect(r).toMatchObject({ next: false, status: 503, headers: { 'content-type': 'application/json', 'retry-after': '5' } })
    expect(r.body).toMatchObject({ error: 'redis_unavailable', message: expect.stringContaining('motia') })
    expect((await call(gate, '/metrics')).status).toBe(503)
    expect((await call(gate, '/emit')).status).toBe(503)
    expect((await call(gate, '/health')).next).toBe(true)
    expect((await call(gate, '/')).next).toBe(true)
  })

  it('waits a moment for a client that is connecting (the first request after a start)', async () => {
    let ready = false
    cleanups.push(registerRedisClient('late', () => ready))
    setTimeout(() => (ready = true), 100)
    expect(await call(redisGate({ waitMs: 2000 }), '/api/events')).toMatchObject({ next: true })
  })
})

describe('keepRedisClientOpen', () => {
  it("listens for the client's errors (one line per outage) and reopens it when its own retries gave up", async () => {
    const lines: string[] = []
    let connects = 0
    const client = Object.assign(new EventEmitter(), {
      isOpen: true,
      isReady: true,
      connect: async () => {
        connects++
        client.isOpen = true
        client.isReady = true
        client.emit('ready')
      },
    })
    const stop = keepRedisClientOpen('motia', client, { everyMs: 20, log: (l) => lines.push(l) })
    cleanups.push(stop)
    client.isReady = false
    client.emit('error', new Error('Socket closed unexpectedly')) // without a listener this would throw
    client.emit('error', new Error('connect ECONNREFUSED'))
    expect(unreadyRedisClients()).toEqual(['motia'])
    client.isOpen = false // its reconnect strategy gave up
    await new Promise((r) => setTimeout(r, 100))
    expect(connects).toBe(1)
    expect(unreadyRedisClients()).toEqual([])
    expect(lines).toEqual(['[cicd] motia: Redis connection lost (Socket closed unexpectedly); retrying until it answers', '[cicd] motia: Redis connection back'])
  })
})

describe('isRedisConnectionError', () => {
  it('knows node-redis, ioredis and socket errors of the Redis port, and nothing else', () => {
    class ClientClosedError extends Error {}
    expect(isRedisConnectionError(new ClientClosedError('The client is closed'), 6379)).toBe(true)
    expect(isRedisConnectionError(new Error('Connection is closed.'), 6379)).toBe(true)
    expect(isRedisConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED', port: 6379 }), 6379)).toBe(true)
    expect(isRedisConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:11434'), { code: 'ECONNREFUSED', port: 11434 }), 6379)).toBe(false)
    expect(isRedisConnectionError(new TypeError('x is undefined'), 6379)).toBe(false)
    expect(isRedisConnectionError('a string', 6379)).toBe(false)
  })
})
