import type { IncomingMessage, ServerResponse } from 'node:http'

export const MAX_BODY_BYTES = 25 * 1024 * 1024

type Req = IncomingMessage & { body?: unknown; rawBody?: string; _body?: boolean }

function sendJson(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent) return
  res.statusCode = status
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.end(JSON.stringify(body))
}

/** Bytes of an over-limit body drained (so the client can read the 413) before the socket is cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024

function refuseAndDrain(req: Req, res: ServerResponse, message: string): void {
  sendJson(res, 413, { error: 'payload_too_large', message })
  let drained = 0
  req.on('data', (c: Buffer) => {
    drained += c.length
    if (drained > DRAIN_LIMIT) req.socket.destroy()
  })
  req.resume()
}

/**
 * Express-style middleware that reads API request bodies itself, before Motia's 1 GB body
 * parser: bodies over the limit get 413, malformed JSON gets 400, both as JSON. It keeps the
 * exact bytes in `req.rawBody` (for HMAC) and sets `req._body` so later parsers skip the request.
 * GitHub's form encoding (`payload=<json>`) is decoded too.
 */
export function apiBodyReader(opts: { maxBytes?: number; prefixes?: string[] } = {}) {
  const maxBytes = opts.maxBytes ?? MAX_BODY_BYTES
  const prefixes = opts.prefixes ?? ['/api/']
  return (req: Req, res: ServerResponse, next: (err?: unknown) => void): void => {
    const url = req.url ?? ''
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '') || !prefixes.some((p) => url.startsWith(p))) return next()
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > maxBytes) {
      refuseAndDrain(req, res, `the body is ${declared} bytes; the limit is ${maxBytes}`)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (c: Buffer) => {
      if (failed) return
      size += c.length
      if (size > maxBytes) {
        failed = true
        chunks.length = 0
        refuseAndDrain(req, res, `the body exceeds the limit of ${maxBytes} bytes`)
        return
      }
      chunks.push(c)
    })
    req.on('error', (err) => {
      if (!failed) {
        failed = true
        sendJson(res, 400, { error: 'bad_request', message: `could not read the body: ${err.message}` })
      }
    })
    req.on('end', () => {
      if (failed) return
      const raw = Buffer.concat(chunks).toString('utf8')
      // Motia's server resets `req.rawBody = ''` in a middleware after this one: keep the bytes.
      Object.defineProperty(req, 'rawBody', { get: () => raw, set: () => undefined, configurable: true, enumerable: true })
      req._body = true
      const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
      try {
        if (raw.length === 0) req.body = {}
        else if (type === 'application/x-www-form-urlencoded') {
          const form = new URLSearchParams(raw)
          const payload = form.get('payload')
          req.body = payload !== null ? JSON.parse(payload) : Object.fromEntries(form)
        } else if (type === '' || type === 'application/json' || type.endsWith('+json')) req.body = JSON.parse(raw)
        else {
          sendJson(res, 415, { error: 'unsupported_media_type', message: `content-type ${type} is not supported; send application/json` })
          return
        }
      } catch (err) {
        sendJson(res, 400, { error: 'invalid_json', message: `the body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, field: '(body)' })
        return
      }
      next()
    })
  }
}
