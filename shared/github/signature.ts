import { createHmac, timingSafeEqual } from 'node:crypto'

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/**
 * Checks GitHub's `X-Hub-Signature-256` over the exact raw body, in constant time.
 * Never throws; a malformed header is simply not valid.
 */
export function verifySignature(secret: string, rawBody: string | Buffer, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false
  const expected = Buffer.from(signBody(secret, rawBody), 'utf8')
  const given = Buffer.from(header.toLowerCase(), 'utf8')
  return expected.length === given.length && timingSafeEqual(expected, given)
}
