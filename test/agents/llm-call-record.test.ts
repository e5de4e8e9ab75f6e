/**
 * What a decision records of its model call, against the scripted OpenAI-compatible server on
 * loopback: the call's own latency and slot wait, tokens (estimated when the server gave none),
 * `defaults.llm.transport_retries`, and errors the client does not recognise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { decide, type AgentSpec, type ModelRuntime } from '../../agents/runtime/decide'
import { classifyModelError, OpenAICompatibleClient } from '../../agents/runtime/openai-compatible-client'
import { renderPrompt } from '../../agents/runtime/prompt'
import { ModelRuntimeCache } from '../../agents/runtime/runtime'
import { promptTokenCounter } from '../../agents/runtime/prompt-tokens'
import { cicdConfigSchema } from '../../shared/config/schema'
import { ScriptedOpenAIServer } from '../helpers/openai-server'

type D = { ok: boolean; reasons: string[] }
const spec: AgentSpec<{ files: string[] }, D> = {
  agent: 'build',
  schema: z.object({ ok: z.boolean(), reasons: z.array(z.string()) }),
  instructions: 'Decide whether the change is fine.',
  facts: (f) => f,
  guard: (d) => ({ decision: d, clamped: [] }),
  reasonsOf: (d) => d.reasons,
}
const facts = { files: ['src/a.ts', 'src/b.ts', 'docs/readme.md'] }
const baseline: D = { ok: true, reasons: ['baseline'] }
const answer = JSON.stringify({ ok: false, reasons: ['model'] })
const llm = (over: Record<string, unknown>) => cicdConfigSchema.parse({ defaults: { llm: over } }).defaults.llm

const server = new ScriptedOpenAIServer()
const client = (over: Partial<ConstructorParameters<typeof OpenAICompatibleClient>[0]> = {}): ModelRuntime => ({
  client: new OpenAICompatibleClient({ baseURL: server.baseURL, model: 'qwen2.5:7b-instruct', timeoutMs: 10_000, concurrency: 2, ...over }),
})
beforeAll(async () => {
  await server.start()
  // the first call loads the tokenizer and the SDK's code paths, slow on a busy machine
  server.answer({ content: answer })
  await decide(spec, facts, baseline, client({ timeoutMs: 30_000 }))
}, 60_000)
afterAll(() => server.stop())

describe('per-call latency', () => {
  it("records the model call's own latency in `llm`, apart from the whole decision and the wait for a slot", async () => {
    const runtime = client({ concurrency: 1 })
    server.answer({ delayMs: 400, content: answer }, { delayMs: 400, content: answer })
    const [a, b] = await Promise.all([decide(spec, facts, baseline, runtime), decide(spec, facts, baseline, runtime)])
    for (const d of [a, b]) {
      expect(d.source, d.rejected).toBe('llm')
      expect(d.llm?.latencyMs).toBeGreaterThanOrEqual(350)
      expect(d.llm?.latencyMs).toBeLessThanOrEqual(d.latencyMs)
    }
    // one slot: the second call waited for the first, and its own latency does not include the wait
    // (the first may record a millisecond or two of its own for taking the free slot)
    const waited = [a, b].reduce((x, y) => ((y.llm?.waitMs ?? 0) > (x.llm?.waitMs ?? 0) ? y : x))
    expect(waited?.llm?.waitMs).toBeGreaterThanOrEqual(300)
    expect(waited?.latencyMs).toBeGreaterThanOrEqual((waited?.llm?.waitMs ?? 0) + (waited?.llm?.latencyMs ?? 0) - 5)
  })
})

describe('prompt tokens for every decision that asked the model', () => {
  const counted = async () => {
    const { system, prompt } = await renderPrompt(spec, facts, baseline)
    const count = await promptTokenCounter()
    return count(system) + count(prompt)
  }

  it("uses the server's count when it answered", async () => {
    server.answer({ content: answer, promptTokens: 77, completionTokens: 9 })
    const d = await decide(spec, facts, baseline, client())
    expect(d.tokens).toEqual({ prompt: 77, completion: 9 })
  })

  it('estimates the prompt locally (o200k_base), labelled, when the call timed out', async () => {
    server.answer({ delayMs: 2000, content: answer })
    const d = await decide(spec, facts, baseline, client({ timeoutMs: 500 }))
    expect(d.rejected).toMatch(/^timeout:/)
    expect(d.tokens).toEqual({ prompt: await counted(), completion: 0, estimated: true })
    expect(d.tokens?.prompt).toBeGreaterThan(20)
  })

  it('estimates it too when nothing answers (transport)', async () => {
    const down: ModelRuntime = { client: new OpenAICompatibleClient({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', timeoutMs: 1500, concurrency: 1, transportRetries: 0 }) }
    const d = await decide(spec, facts, baseline, down)
    expect(d.rejected).toMatch(/^transport:/)
    expect(d.llm?.latencyMs).toBeGreaterThanOrEqual(0)
    expect(d.tokens).toEqual({ prompt: await counted(), completion: 0, estimated: true })
  })
})

describe('defaults.llm.transport_retries', () => {
  it('defaults to 1 and is read from cicd.yml', async () => {
    expect(llm({}).transport_retries).toBe(1)
    expect(() => llm({ transport_retries: -1 })).toThrow()
    const none: ModelRuntime = { client: OpenAICompatibleClient.fromConfig(llm({ base_url: server.baseURL, transport_retries: 0 }), {}) }
    let n = server.requests.length
    server.answer({ status: 503 }, { content: answer })
    const d = await decide(spec, facts, baseline, none)
    expect(d.rejected).toMatch(/^transport: HTTP 503/)
    expect(server.requests.length - n).toBe(1)
    expect((await decide(spec, facts, baseline, none)).source).toBe('llm') // the spare answer was not asked for

    const two: ModelRuntime = { client: OpenAICompatibleClient.fromConfig(llm({ base_url: server.baseURL, transport_retries: 2 }), {}) }
    n = server.requests.length
    server.answer({ status: 503 }, { status: 502 }, { content: answer })
    const ok = await decide(spec, facts, baseline, two)
    expect(ok.source, ok.rejected).toBe('llm')
    expect(server.requests.length - n).toBe(3)
  })
})

describe('errors the client does not recognise', () => {
  it('are their own kind, never retried as transport', async () => {
    expect(classifyModelError(new Error('something odd'), false)).toEqual({ kind: 'unknown', message: 'something odd', retryable: false })
    expect(classifyModelError(new RangeError('bad'), false)).toMatchObject({ kind: 'unknown', message: 'RangeError: bad', retryable: false })
    const refused = Object.assign(new Error('read failed'), { cause: Object.assign(new Error('socket'), { code: 'ECONNRESET' }) })
    expect(classifyModelError(refused, false)).toMatchObject({ kind: 'transport', retryable: true })
    // a schema the SDK cannot send fails before any request, as `unknown`
    const dated: AgentSpec<{ files: string[] }, { at: Date }> = {
      agent: 'build',
      schema: z.object({ at: z.date() }),
      instructions: spec.instructions,
      facts: (f) => f,
      guard: (d) => ({ decision: d, clamped: [] }),
      reasonsOf: () => ['baseline'],
    }
    const n = server.requests.length
    const d = await decide(dated, facts, { at: new Date(0) }, client({ transportRetries: 3 }))
    expect(d.rejected).toMatch(/^unknown: /)
    expect(d.tokens?.estimated).toBe(true)
    expect(server.requests.length).toBe(n)
  })
})

describe('one model runtime per process', () => {
  it('probes once, reuses the client, probes a down endpoint again only after a minute', async () => {
    const cache = new ModelRuntimeCache()
    server.resetCounts()
    const cfg = llm({ base_url: server.baseURL })
    const first = await cache.get(cfg, {}, 0)
    expect(first.client).not.toBeNull()
    for (let i = 1; i <= 5; i++) expect(await cache.get(cfg, {}, i * 120_000)).toBe(first) // one client (one limiter), however late
    expect(server.probes).toBe(1)

    const down = llm({ base_url: 'http://127.0.0.1:9/v1' })
    const a = await cache.get(down, {}, 0)
    expect(a.client).toBeNull()
    expect(await cache.get(down, {}, 30_000)).toBe(a) // not probed again within the minute
    const b = await cache.get(down, {}, 61_000)
    expect(b).not.toBe(a) // probed again
    expect(await cache.get(cfg, {}, 61_001)).not.toBe(first) // another config: another runtime
    expect(server.probes).toBe(2)
  })
})
