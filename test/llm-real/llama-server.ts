/**
 * An OpenAI-compatible endpoint (the part of Ollama's /v1 the product uses) over node:http on
 * 127.0.0.1, answered by a real inference engine: node-llama-cpp on a GGUF model. `GET
 * /v1/models`; `POST /v1/chat/completions` with `response_format` `json_schema` (its schema
 * becomes node-llama-cpp's JSON-schema grammar; features it cannot enforce → 400) or
 * `json_object`, `max_tokens`, `temperature`, `seed`; `usage` from the engine's token meter.
 * One context sequence: requests are answered one at a time; a client that goes away aborts
 * its generation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toGrammarSchema } from './json-schema-grammar'
import type { Llama, LlamaCompletion, LlamaContext, LlamaContextSequence, LlamaGrammar, LlamaModel, NodeLlamaCpp } from './engine'

export interface LlamaServerOptions {
  engine: NodeLlamaCpp
  modelPath: string
  /** The model id `/v1/models` lists (any requested model name is answered by it). */
  modelId?: string
  contextSize?: number
  /** 1 by default: on a loaded 2-core machine more threads spin against each other. */
  threads?: number
  /** When a request sets no max_tokens. */
  defaultMaxTokens?: number
}

/** What the server measured for one chat completion. */
export interface CallRecord {
  status: number
  promptTokens: number
  completionTokens: number
  ms: number
  finish?: 'stop' | 'length' | 'abort'
  content?: string
  error?: string
}

interface ChatMessage {
  role: string
  content: string | Array<{ type: string; text?: string }>
}
interface ChatRequest {
  model?: string
  messages?: ChatMessage[]
  max_tokens?: number
  max_completion_tokens?: number
  temperature?: number
  seed?: number
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
  ) {
    super(message)
  }
}

/** Errors of a generation already in `calls`. */
const recorded = new WeakSet<Error>()

const textOf = (c: ChatMessage['content']): string => (typeof c === 'string' ? c : c.map((p) => p.text ?? '').join(''))

/** A plain chat layout: the random model has no chat template of its own. */
export function renderChat(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `${m.role}:\n${textOf(m.content)}`).join('\n\n')}\n\nassistant:\n`
}

export class LlamaOpenAIServer {
  readonly calls: CallRecord[] = []
  baseURL = ''
  private server: Server | undefined
  private llama: Llama | undefined
  private model: LlamaModel | undefined
  private context: LlamaContext | undefined
  private sequence: LlamaContextSequence | undefined
  private completion: LlamaCompletion | undefined
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly opts: LlamaServerOptions) {}

  get modelId(): string {
    return this.opts.modelId ?? 'random-llama-tiny'
  }

  async start(): Promise<this> {
    const { engine } = this.opts
    this.llama = await engine.getLlama({ gpu: false, build: 'never', logLevel: 'error' })
    this.model = await this.llama.loadModel({ modelPath: this.opts.modelPath })
    this.context = await this.model.createContext({ contextSize: this.opts.contextSize ?? 8192, threads: this.opts.threads ?? 1 })
    this.sequence = this.context.getSequence()
    this.completion = new engine.LlamaCompletion({ contextSequence: this.sequence })
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>((ok) => this.server?.listen(0, '127.0.0.1', ok))
    this.baseURL = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`
    return this
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()))
    await this.queue.catch(() => undefined)
    this.completion?.dispose()
    await this.context?.dispose()
    await this.model?.dispose()
    await this.llama?.dispose()
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? ''
    const send = (status: number, body: unknown) => {
      if (res.destroyed) return
      res.statusCode = status
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(body))
    }
    try {
      if (req.method === 'GET' && path === '/v1/models') return send(200, { object: 'list', data: [{ id: this.modelId, object: 'model', created: 0, owned_by: 'llm-real' }] })
      if (req.method !== 'POST' || path !== '/v1/chat/completions') throw new HttpError(404, `no route ${req.method} ${path}`)
      const aborted = new AbortController()
      res.once('close', () => aborted.abort(new Error('client closed the connection')))
      const raw = await readBody(req)
      let body: ChatRequest
      try {
        body = JSON.parse(raw) as ChatRequest
      } catch {
        throw new HttpError(400, 'the body is not JSON')
      }
      const turn = this.queue.then(() => this.complete(body, aborted.signal))
      this.queue = turn.catch(() => undefined)
      send(200, await turn)
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500
      const message = err instanceof Error ? err.message : String(err)
      if (path === '/v1/chat/completions' && !(err instanceof Error && recorded.has(err))) this.calls.push({ status, promptTokens: 0, completionTokens: 0, ms: 0, error: message })
      send(status, { error: { message, type: status < 500 ? 'invalid_request_error' : 'server_error', ...(err instanceof HttpError && err.param ? { param: err.param } : {}) } })
    }
  }

  private async grammarFor(format: ChatRequest['response_format']): Promise<LlamaGrammar | undefined> {
    if (!format || format.type === 'text') return undefined
    if (!this.llama) throw new Error('not started')
    if (format.type === 'json_object') return this.llama.getGrammarFor('json')
    if (format.type !== 'json_schema' || format.json_schema?.schema === undefined) throw new HttpError(400, `response_format ${JSON.stringify(format).slice(0, 80)} is not supported`, 'response_format')
    const converted = toGrammarSchema(format.json_schema.schema as Parameters<typeof toGrammarSchema>[0])
    if (!converted.ok) throw new HttpError(400, `response_format.json_schema uses what the grammar cannot enforce: ${converted.unsupported.join(', ')}`, 'response_format')
    return this.llama.createGrammarForJsonSchema(converted.schema)
  }

  private async complete(body: ChatRequest, signal: AbortSignal): Promise<unknown> {
    if (!this.completion || !this.sequence || !this.model || !this.context) throw new Error('not started')
    if (!Array.isArray(body.messages) || body.messages.length === 0) throw new HttpError(400, 'messages is required', 'messages')
    signal.throwIfAborted()
    const grammar = await this.grammarFor(body.response_format)
    const prompt = renderChat(body.messages)
    const promptLength = this.model.tokenize(prompt).length + 1 // + BOS
    const maxTokens = body.max_tokens ?? body.max_completion_tokens ?? this.opts.defaultMaxTokens ?? 512
    if (promptLength + maxTokens > this.context.contextSize) throw new HttpError(400, `the prompt (${promptLength} tokens) and max_tokens (${maxTokens}) exceed the context (${this.context.contextSize})`, 'messages')
    await this.sequence.clearHistory()
    const before = { input: this.sequence.tokenMeter.usedInputTokens, output: this.sequence.tokenMeter.usedOutputTokens }
    const t0 = performance.now()
    const record: CallRecord = { status: 200, promptTokens: 0, completionTokens: 0, ms: 0 }
    this.calls.push(record)
    try {
      const { response, metadata } = await this.completion.generateCompletionWithMeta(prompt, {
        maxTokens,
        temperature: body.temperature ?? 0,
        ...(body.seed !== undefined ? { seed: body.seed } : {}),
        ...(grammar ? { grammar } : {}),
        signal,
      })
      record.finish = metadata.stopReason === 'maxTokens' ? 'length' : 'stop'
      record.content = response
      return {
        id: `chatcmpl-${this.calls.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: this.modelId,
        choices: [{ index: 0, message: { role: 'assistant', content: response }, finish_reason: record.finish }],
        usage: this.usage(record, before),
      }
    } catch (err) {
      record.finish = 'abort'
      record.status = signal.aborted ? 499 : 500
      record.error = err instanceof Error ? err.message : String(err)
      if (err instanceof Error) recorded.add(err)
      throw err
    } finally {
      record.ms = Math.round(performance.now() - t0)
      if (!record.promptTokens) this.usage(record, before)
    }
  }

  private usage(record: CallRecord, before: { input: number; output: number }) {
    const meter = this.sequence?.tokenMeter
    record.promptTokens = (meter?.usedInputTokens ?? 0) - before.input
    record.completionTokens = (meter?.usedOutputTokens ?? 0) - before.output
    return { prompt_tokens: record.promptTokens, completion_tokens: record.completionTokens, total_tokens: record.promptTokens + record.completionTokens }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    let raw = ''
    req.on('data', (c: Buffer) => (raw += c.toString()))
    req.on('end', () => ok(raw))
    req.on('error', fail)
  })
}
