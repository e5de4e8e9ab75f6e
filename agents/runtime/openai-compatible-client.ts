import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { APICallError, generateObject, NoObjectGeneratedError } from 'ai'
import type { AgentName, LlmConfig } from '../../shared/config/schema'
import { Limiter } from './limiter'
import type { ModelClient, ModelFailureKind, ModelRequest, ModelResult } from './model-client'

export interface OpenAICompatibleOptions {
  baseURL: string
  model: string
  models?: Partial<Record<AgentName, string>>
  timeoutMs: number
  concurrency: number
  /** Extra attempts for transport errors only (connection refused, 5xx, 429). */
  transportRetries?: number
}

function usageOf(u: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined) {
  return { prompt: u?.inputTokens ?? 0, completion: u?.outputTokens ?? 0 }
}

/** Maps what the AI SDK throws to a failure kind a decision can record. */
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
  return { kind: 'transport', message, retryable: true }
}

/**
 * Agents' model client on an OpenAI-compatible endpoint (Ollama's /v1), through the AI SDK's
 * `generateObject` with structured outputs (a `json_schema` response format from the agent's
 * zod schema). Per-call timeout, a concurrency limit, retries for transport errors only.
 */
export class OpenAICompatibleClient implements ModelClient {
  readonly endpoint: string
  private readonly provider
  private readonly limiter: Limiter

  constructor(private readonly opts: OpenAICompatibleOptions) {
    this.endpoint = opts.baseURL
    this.provider = createOpenAICompatible({ name: 'ollama', baseURL: opts.baseURL, supportsStructuredOutputs: true })
    this.limiter = new Limiter(opts.concurrency)
  }

  static fromConfig(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env): OpenAICompatibleClient {
    return new OpenAICompatibleClient({
      baseURL: env.OLLAMA_BASE_URL || llm.base_url,
      model: llm.model,
      models: llm.models,
      timeoutMs: llm.timeout,
      concurrency: llm.concurrency,
    })
  }

  modelFor(agent: AgentName): string {
    return this.opts.models?.[agent] ?? this.opts.model
  }

  generate<T>(req: ModelRequest<T>): Promise<ModelResult<T>> {
    const model = this.modelFor(req.agent)
    return this.limiter.run(async () => {
      const t0 = performance.now()
      const attempts = 1 + (this.opts.transportRetries ?? 1)
      let last: { kind: ModelFailureKind; message: string } = { kind: 'transport', message: 'not attempted' }
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const controller = new AbortController()
        let timedOut = false
        const remaining = this.opts.timeoutMs - (performance.now() - t0)
        if (remaining <= 0) return { ok: false, kind: 'timeout', message: `no answer within ${this.opts.timeoutMs} ms`, latencyMs: Math.round(performance.now() - t0), model }
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
          return { ok: true, object: res.object as T, usage: usageOf(res.usage), latencyMs: Math.round(performance.now() - t0), model }
        } catch (err) {
          const c = classifyModelError(err, timedOut)
          last = { kind: c.kind, message: c.kind === 'timeout' ? `no answer within ${this.opts.timeoutMs} ms` : c.message }
          const usage = NoObjectGeneratedError.isInstance(err) ? usageOf(err.usage) : undefined
          if (!(c.kind === 'transport' && c.retryable && attempt < attempts))
            return { ok: false, ...last, latencyMs: Math.round(performance.now() - t0), model, ...(usage ? { usage } : {}) }
          await new Promise((r) => setTimeout(r, 200 * attempt))
        } finally {
          clearTimeout(timer)
        }
      }
      return { ok: false, ...last, latencyMs: Math.round(performance.now() - t0), model }
    })
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
