import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiBodyReader, MAX_BODY_BYTES } from '../../shared/http/body-reader'
import { signBody } from '../../shared/github/signature'

type Req = IncomingMessage & { body?: unknown; rawBody?: string; _body?: boolean }

interface Echo {
  /** The middleware called next. */
  next: true
  method: string
  url: string
  rawBodyLength: number | null
  rawBodyBytes: number | null
  rawBody: string | null
  body: unknown
  marked: boolean
  /** What next() could still read from the request itself (pass-through requests). */
  unread: string
}

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  json: Record<string, unknown>
}

/** A plain node:http server with the middleware in front of a JSON echo handler. */
async function startServer(opts: Parameters<typeof apiBodyReader>[0]): Promise<{ server: Server; base: string; port: number }> {
  const middleware = apiBodyReader(opts)
  const server = createServer((req: Req, res: ServerResponse) => {
    middleware(req, res, (err?: unknown) => {
      if (err) {
        res.statusCode = 500
        res.end(JSON.stringify({ error: String(err) }))
        return
      }
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      const reply = () => {
        const echo: Echo = {
          next: true,
          method: req.method ?? '',
          url: req.url ?? '',
          rawBodyLength: req.rawBody === undefined ? null : req.rawBody.length,
          rawBodyBytes: req.rawBody === undefined ? null : Buffer.byteLength(req.rawBody, 'utf8'),
          rawBody: req.rawBody ?? null,
          body: req.body === undefined ? null : req.body,
          marked: req._body === true,
          unread: Buffer.concat(chunks).toString('utf8'),
        }
        res.statusCode = 200
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify(echo))
      }
      if (req.readableEnded) reply()
      else req.on('end', reply)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return { server, base: `http://127.0.0.1:${port}`, port }
}

async function answer(res: Response): Promise<Answer> {
  const headers: IncomingHttpHeaders = {}
  res.headers.forEach((v, k) => {
    headers[k] = v
  })
  return { status: res.status, headers, json: (await res.json()) as Record<string, unknown> }
}

function readAnswer(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (c: Buffer) => chunks.push(c))
    res.on('error', reject)
    res.on('end', () => {
      try {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> })
      } catch (err) {
        reject(err)
      }
    })
  })
}

/**
 * Sends `parts` one write at a time (chunked unless a content-length header is given) and
 * resolves with the response, even when the server answers before the body is complete.
 */
function send(port: number, path: string, headers: Record<string, string | number>, parts: Buffer[], method = 'POST', gapMs = 0): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false
    // a fresh connection per request: an abandoned upload must not be reused by the next test
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      answered = true
      readAnswer(res).then((a) => {
        // the server answered before the body was complete: stop sending it
        if (!req.writableFinished) req.destroy()
        resolve(a)
      }, reject)
    })
    req.on('error', (err) => {
      if (!answered) reject(err)
    })
    void (async () => {
      for (const p of parts) {
        if (answered || req.destroyed) return
        req.write(p)
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs))
      }
      if (!answered && !req.destroyed) req.end()
    })()
  })
}

const SMALL = 4096
let small: { server: Server; base: string; port: number }
let dflt: { server: Server; base: string; port: number }

beforeAll(async () => {
  small = await startServer({ maxBytes: SMALL })
  dflt = await startServer({})
})

afterAll(async () => {
  for (const s of [small, dflt]) {
    s.server.closeAllConnections()
    await new Promise<void>((resolve) => s.server.close(() => resolve()))
  }
})

describe('apiBodyReader: limits', () => {
  it('the default limit is 25 MB', () => {
    expect(MAX_BODY_BYTES).toBe(25 * 1024 * 1024)
  })

  it('a body declared over 25 MB by content-length gets 413 JSON before it is sent', async () => {
    const res = await send(dflt.port, '/api/webhooks/github', { 'content-type': 'application/json', 'content-length': MAX_BODY_BYTES + 1 }, [Buffer.from('{"a":')])
    expect(res.status).toBe(413)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.json.error).toBe('payload_too_large')
    expect(String(res.json.message)).toContain(String(MAX_BODY_BYTES + 1))
    expect(String(res.json.message)).toContain(String(MAX_BODY_BYTES))
  })

  it('a whole 25 MB + 1 byte body sent with fetch gets a readable 413 JSON', async () => {
    const body = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20)
    const res = await answer(await fetch(`${dflt.base}/api/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }))
    expect(res.status).toBe(413)
    expect(res.json.error).toBe('payload_too_large')
  })

  it('a streamed fetch body (no content-length) over the limit gets a readable 413 JSON', async () => {
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= SMALL * 4) controller.close()
        else {
          sent += 1024
          controller.enqueue(new Uint8Array(1024).fill(0x61))
        }
      },
    })
    const init: RequestInit & { duplex: 'half' } = { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' }
    const res = await answer(await fetch(`${small.base}/api/runs`, init))
    expect(res.status).toBe(413)
    expect(res.json.error).toBe('payload_too_large')
  })

  it('a body of exactly the limit is read', async () => {
    const body = Buffer.from(JSON.stringify({ pad: 'x'.repeat(SMALL - 10) }))
    expect(body.length).toBe(SMALL)
    const res = await send(small.port, '/api/x', { 'content-type': 'application/json', 'content-length': body.length }, [body])
    expect(res.status).toBe(200)
    expect(res.json.rawBodyBytes).toBe(SMALL)
  })

  it('one byte over the limit by content-length is 413', async () => {
    const res = await send(small.port, '/api/x', { 'content-type': 'application/json', 'content-length': SMALL + 1 }, [Buffer.alloc(SMALL + 1, 0x20)])
    expect(res.status).toBe(413)
    expect(res.json.error).toBe('payload_too_large')
  })

  it('a chunked body (no content-length) that grows past the limit gets 413 JSON', async () => {
    const parts = Array.from({ length: 8 }, () => Buffer.alloc(1024, 0x61))
    const res = await send(small.port, '/api/runs', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, parts, 'POST', 5)
    expect(res.status).toBe(413)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.json.error).toBe('payload_too_large')
    expect(String(res.json.message)).toContain(String(SMALL))
  })

  it('a chunked body under the limit is read whole', async () => {
    const text = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => i) })
    const buf = Buffer.from(text)
    const parts = [buf.subarray(0, 10), buf.subarray(10, 40), buf.subarray(40)]
    const res = await send(small.port, '/api/runs', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, parts, 'POST', 2)
    expect(res.status).toBe(200)
    expect(res.json.rawBody).toBe(text)
    expect(res.json.body).toEqual(JSON.parse(text))
  })

  it('the server keeps answering after a 413', async () => {
    const res = await fetch(`${small.base}/api/ok`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ok":true}' })
    expect(res.status).toBe(200)
    expect((await answer(res)).json.body).toEqual({ ok: true })
  })
})

describe('apiBodyReader: parsing', () => {
  it('parses JSON and keeps the raw text', async () => {
    const text = '{ "ref": "refs/heads/main",  "n": 1 }'
    const res = await answer(await fetch(`${dflt.base}/api/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: text }))
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ next: true, rawBody: text, rawBodyLength: text.length, body: { ref: 'refs/heads/main', n: 1 }, marked: true, unread: '' })
  })

  it('malformed JSON is 400 JSON with error "invalid_json"', async () => {
    const res = await answer(await fetch(`${dflt.base}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a": 1,' }))
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.json.error).toBe('invalid_json')
    expect(String(res.json.message)).toMatch(/not valid JSON/)
    expect(res.json.next).toBeUndefined()
  })

  it('a body without content-type is read as JSON', async () => {
    const res = await send(dflt.port, '/api/runs', { 'content-length': 7 }, [Buffer.from('{"a":1}')])
    expect(res.status).toBe(200)
    expect(res.json.body).toEqual({ a: 1 })
  })

  it('+json media types are JSON', async () => {
    const res = await answer(await fetch(`${dflt.base}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/vnd.github+json' }, body: '[1,2]' }))
    expect(res.status).toBe(200)
    expect(res.json.body).toEqual([1, 2])
  })

  it('an empty body is {}', async () => {
    const res = await answer(await fetch(`${dflt.base}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' } }))
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ body: {}, rawBody: '', marked: true })
  })

  it("GitHub's form encoding payload=<urlencoded json> gives the parsed payload; rawBody is the exact form bytes", async () => {
    const payload = { ref: 'refs/heads/main', head_commit: { message: 'fix: a&b = c+d 100% ✓' } }
    const form = `payload=${encodeURIComponent(JSON.stringify(payload))}`
    const res = await answer(await fetch(`${dflt.base}/api/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }))
    expect(res.status).toBe(200)
    expect(res.json.body).toEqual(payload)
    expect(res.json.rawBody).toBe(form)
    expect(res.json.rawBodyBytes).toBe(Buffer.byteLength(form))
    // the signature GitHub computes over the form bytes verifies against rawBody
    expect(signBody('s', String(res.json.rawBody))).toBe(signBody('s', Buffer.from(form)))
  })

  it('a form body without payload becomes a plain object', async () => {
    const res = await answer(await fetch(`${dflt.base}/api/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two+words' }))
    expect(res.status).toBe(200)
    expect(res.json.body).toEqual({ a: '1', b: 'two words' })
  })

  it('a form payload that is not JSON is 400 invalid_json', async () => {
    const res = await answer(await fetch(`${dflt.base}/api/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'payload=%7Bnope' }))
    expect(res.status).toBe(400)
    expect(res.json.error).toBe('invalid_json')
  })

  it('an unsupported content-type is 415 JSON', async () => {
    const res = await answer(await fetch(`${dflt.base}/api/runs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }))
    expect(res.status).toBe(415)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.json.error).toBe('unsupported_media_type')
    expect(String(res.json.message)).toContain('text/plain')
  })

  it.each(['PUT', 'PATCH', 'DELETE'])('%s bodies are read too', async (method) => {
    const res = await answer(await fetch(`${dflt.base}/api/thing`, { method, headers: { 'content-type': 'application/json' }, body: '{"m":1}' }))
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ method, body: { m: 1 }, marked: true })
  })
})

describe('apiBodyReader: byte-exact raw body', () => {
  it('rawBody has exactly the bytes of a unicode body, and the HMAC over it matches', async () => {
    const text = JSON.stringify({ msg: 'héllo – 世界 🚀 naïve ©', emoji: '👩‍👩‍👧' })
    const bytes = Buffer.from(text, 'utf8')
    const res = await answer(await fetch(`${dflt.base}/api/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes }))
    expect(res.status).toBe(200)
    expect(res.json.rawBody).toBe(text)
    expect(res.json.rawBodyBytes).toBe(bytes.length)
    expect(Buffer.from(String(res.json.rawBody), 'utf8').equals(bytes)).toBe(true)
    expect(signBody('k', String(res.json.rawBody))).toBe(signBody('k', bytes))
    expect(res.json.body).toEqual(JSON.parse(text))
  })

  it('a multi-byte character split across two writes survives', async () => {
    const text = '{"s":"🚀🚀"}'
    const bytes = Buffer.from(text, 'utf8')
    const cut = text.indexOf('🚀') + 2 // inside the 4-byte sequence
    const res = await send(dflt.port, '/api/x', { 'content-type': 'application/json', 'content-length': bytes.length }, [bytes.subarray(0, cut), bytes.subarray(cut)], 'POST', 10)
    expect(res.status).toBe(200)
    expect(res.json.rawBody).toBe(text)
    expect(res.json.body).toEqual({ s: '🚀🚀' })
  })
})

describe('apiBodyReader: pass-through', () => {
  it('GET requests are untouched', async () => {
    const res = await answer(await fetch(`${small.base}/api/runs?limit=3`))
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ next: true, method: 'GET', url: '/api/runs?limit=3', rawBody: null, body: null, marked: false })
  })

  it('POSTs outside /api/ are untouched: the body is still there to read, even over the limit', async () => {
    const big = 'z'.repeat(SMALL * 3)
    const res = await answer(await fetch(`${small.base}/upload`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: big }))
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ next: true, rawBody: null, body: null, marked: false })
    expect(res.json.unread).toBe(big)
  })

  it('"/api" without the trailing slash is not an API path', async () => {
    const res = await answer(await fetch(`${small.base}/apix`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }))
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ marked: false, unread: '{' })
  })

  it('custom prefixes replace /api/', async () => {
    const custom = await startServer({ prefixes: ['/hooks/'] })
    try {
      const hooked = await answer(await fetch(`${custom.base}/hooks/gh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' }))
      expect(hooked.json).toMatchObject({ marked: true, body: { x: 1 } })
      const api = await answer(await fetch(`${custom.base}/api/gh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' }))
      expect(api.json).toMatchObject({ marked: false, unread: '{"x":1}' })
    } finally {
      custom.server.closeAllConnections()
      await new Promise<void>((resolve) => custom.server.close(() => resolve()))
    }
  })
})
