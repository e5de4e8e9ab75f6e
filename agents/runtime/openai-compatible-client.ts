import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { APICallError, generateObject, NoObjectGeneratedError } from 'ai'
import type { AgentName, LlmConfig } from '../../shared/config/schema'
import type { ModelClient, ModelFailureKind, ModelRequest, ModelResult } from './model-client'
import { LocalSlots, type Slots } from './slots'

export interface OpenAICompatibleOptions {
  baseURL: string
  model: string
  models?: Partial<Record<AgentName, string>>
  /** The whole call's budget: waiting for a slot, every attempt and the pauses between them. */
  timeoutMs: number
  concurrency: number
  /** Extra attempts for transport errors only (connection refused, 5xx, 429). Default 1. */
  transportRetries?: number
  /** Where calls wait for their turn (default: `concurrency` slots in this process). */
  slots?: Slots
}

function usageOf(u: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined) {
  return { prompt: u?.inputTokens ?? 0, completion: u?.outputTokens ?? 0 }
}

/** Node's and undici's codes of a connection that failed or broke (anywhere in the cause chain). */
const NETWORK_CODES = /^(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|UND_ERR_\w+)$/

function networkCodeOf(err: unknown): string | undefined {
  const seen = new Set<unknown>()
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e)
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && NETWORK_CODES.test(code)) return code
  }
  return undefined
}

/**
 * Maps what the AI SDK throws to a failure kind a decision can record. Only transport errors
 * (the SDK's API call errors, or a network code in the cause chain) may be retried; an error the
 * client does not recognise is `unknown`, never retried.
 */
export function classifyModelError(err: unknown, timedOut: boolean): { kind: ModelFailureKind; message: string; retryable: boolean } {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 300) ?? 'unknown error'
  if (timedOut) return { kind: 'timeout', message, retryable: false }
  if (NoObjectGeneratedError.isInstance(err)) {
    const cause = err.cause instanceof Error ? err.cause : undefined
    const parse = cause && /JSON|parse/i.test(`${cause.name} ${cause.message}`) && !/Type validation/i.test(cause.message)
    return { kind: parse ? 'invalid_json' : 'schema', message: cause ? `${message}: ${cause.message.split('\n')[0]?.slice(0, 300)}` : message, retryable: false }
  }
  if (APICallError.isInstance(err)) return { kind: 'transport', message: `HTTP ${err.statusCode ?? '?'}: ${message}`, retryable: err.isRetryable }
  const name = err instanceof Error ? err.name : ''
  if (/TypeValidation|JSONParse/i.test(name)) return { kind: /JSONParse/i.test(name) ? 'invalid_json' : 'schema', message, retryable: false }
  const code = networkCodeOf(err)
  if (code) return { kind: 'transport', message: `${code}: ${message}`, retryable: true }
  return { kind: 'unknown', message: name && name !== 'Error' ? `${name}: ${message}` : message, retryable: false }
}

const ms = (x: number) => Math.round(x)

/**
 * Agents' model client on an OpenAI-compatible endpoint (Ollama's /v1), through the AI SDK's
 * `generateObject` with structured outputs (a `json_schema` response format from the agent's
 * zod schema). One budget per call (the slot wait included), a concurrency limit, retries for
 * transport errors only.
 */
export class OpenAICompatibleClient implements ModelClient {
  readonly endpoint: string
  readonly slots: Slots
  private readonly provider

  constructor(private readonly opts: OpenAICompatibleOptions) {
    this.endpoint = opts.baseURL
    this.provider = createOpenAICompatible({ name: 'ollama', baseURL: opts.baseURL, supportsStructuredOutputs: true })
    this.slots = opts.slots ?? new LocalSlots(opts.concurrency)
  }

  static fromConfig(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env, slots?: Slots): OpenAICompatibleClient {
    return new OpenAICompatibleClient({
      baseURL: OpenAICompatibleClient.baseURLOf(llm, env),
      model: llm.model,
      models: llm.models,
      timeoutMs: llm.timeout,
      concurrency: llm.concurrency,
      transportRetries: llm.transport_retries,
      ...(slots ? { slots } : {}),
    })
  }

  /** The endpoint cicd.yml names, or OLLAMA_BASE_URL. */
  static baseURLOf(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env): string {
    return env.OLLAMA_BASE_URL || llm.base_url
  }

  modelFor(agent: AgentName): string {
    return this.opts.models?.[agent] ?? this.opts.model
  }

  async generate<T>(req: ModelRequest<T>): Promise<ModelResult<T>> {
    const model = this.modelFor(req.agent)
    const budget = this.opts.timeoutMs
    const t0 = performance.now()
    const lease = await this.slots.acquire(budget)
    const waitMs = ms(performance.now() - t0)
    if (!lease) {
      const message = `no model slot free within ${budget} ms (${this.slots.limit} call(s) at once per ${this.slots.scope})`
      return { ok: false, kind: 'timeout', message, latencyMs: 0, waitMs, model }
    }
    const tCall = performance.now()
    const latency = () => ms(performance.now() - tCall)
    try {
      const attempts = 1 + (this.opts.transportRetries ?? 1)
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const remaining = budget - (performance.now() - t0)
        if (remaining <= 0) break
        const controller = new AbortController()
        let timedOut = false
        const timer = setTimeout(() => {
          timedOut = true
          controller.abort()
        }, remaining)
        try {
          const res = await generateObject({
            model: this.provider.chatModel(model),
            schema: req.schema,
            schemaName: `${req.agent}_decision`,
            system: req.system,
            prompt: req.prompt,
            temperature: 0,
            maxRetries: 0,
            abortSignal: controller.signal,
          })
          return { ok: true, object: res.object as T, usage: usageOf(res.usage), latencyMs: latency(), waitMs, model }
        } catch (err) {
          const c = classifyModelError(err, timedOut)
          const usage = NoObjectGeneratedError.isInstance(err) ? usageOf(err.usage) : undefined
          if (!(c.kind === 'transport' && c.retryable && attempt < attempts)) {
            const message = c.kind === 'timeout' ? `no answer within ${budget} ms` : c.message
            return { ok: false, kind: c.kind, message, latencyMs: latency(), waitMs, model, ...(usage ? { usage } : {}) }
          }
        } finally {
          clearTimeout(timer)
        }
        await new Promise((r) => setTimeout(r, Math.min(200 * attempt, Math.max(0, budget - (performance.now() - t0)))))
      }
      // the budget ran out between attempts
      return { ok: false, kind: 'timeout', message: `no answer within ${budget} ms`, latencyMs: latency(), waitMs, model }
    } finally {
      await lease.release()
    }
  }
}

/** Whether an OpenAI-compatible endpoint answers (`GET /models`), within `timeoutMs`. */
export async function probeModelEndpoint(baseURL: string, timeoutMs = 1500): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const res = await fetch(`${baseURL.replace(/\/$/, '')}/models`, { signal: AbortSignal.timeout(timeoutMs) })
    return res.ok ? { ok: true } : { ok: false, reason: `${baseURL} answered ${res.status}` }
  } catch (err) {
    return { ok: false, reason: `no LLM at ${baseURL} (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)})` }
  }
}
