import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One scripted answer of the fake model. */
export type ScriptedAnswer =
  | { content: string; promptTokens?: number; completionTokens?: number }
  | { status: number; body?: string }
  | { delayMs: number; content: string }

export interface RecordedRequest {
  path: string
  body: { model?: string; messages?: Array<{ role: string; content: string }>; response_format?: { type: string; json_schema?: { name?: string; schema?: unknown } } }
}

/**
 * A real HTTP server on loopback that speaks OpenAI's chat-completions protocol (what Ollama's
 * /v1 serves) and answers from a script. It stands in for a trained model, which cannot run here.
 */
export class ScriptedOpenAIServer {
  readonly requests: RecordedRequest[] = []
  private script: ScriptedAnswer[] = []
  private server: Server | undefined
  /** What a request gets once the script is exhausted (default: a 500). */
  otherwise: ScriptedAnswer | undefined
  baseURL = ''
  /** Chat completions being answered now, and the most at once since `resetCounts`. */
  inFlight = 0
  maxInFlight = 0
  /** Probes (`GET /models`) since `resetCounts`. */
  probes = 0

  answer(...answers: ScriptedAnswer[]): this {
    this.script.push(...answers)
    return this
  }

  resetCounts(): void {
    this.maxInFlight = this.inFlight
    this.probes = 0
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = ''
      req.on('data', (c: Buffer) => (raw += c.toString()))
      req.on('end', () => {
        const path = req.url ?? ''
        if (req.method === 'GET' && path.endsWith('/models')) {
          this.probes++
          res.setHeader('content-type', 'application/json')
          res.end(JSON.stringify({ object: 'list', data: [{ id: 'qwen2.5:7b-instruct', object: 'model', owned_by: 'library' }] }))
          return
        }
        this.requests.push({ path, body: raw ? (JSON.parse(raw) as RecordedRequest['body']) : {} })
        // in flight until the answer is sent or the client goes away (an abort, a killed process)
        this.inFlight++
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
        res.once('close', () => this.inFlight--)
        const next = this.script.shift() ?? this.otherwise ?? { status: 500, body: '{"error":{"message":"script exhausted"}}' }
        const send = (content: string, promptTokens = 120, completionTokens = 40) => {
          if (res.destroyed) return
          res.setHeader('content-type', 'application/json')
          res.end(
            JSON.stringify({
              id: `chatcmpl-${this.requests.length}`,
              object: 'chat.completion',
              created: Math.floor(Date.now() / 1000),
              model: 'qwen2.5:7b-instruct',
              choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
              usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
            }),
          )
        }
        if ('status' in next) {
          res.statusCode = next.status
          res.setHeader('content-type', 'application/json')
          res.end(next.body ?? JSON.stringify({ error: { message: `scripted ${next.status}` } }))
        } else if ('delayMs' in next) setTimeout(() => send(next.content), next.delayMs)
        else send(next.content, next.promptTokens, next.completionTokens)
      })
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.baseURL = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/v1`
    return this
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise((r) => this.server?.close(r))
  }
}
