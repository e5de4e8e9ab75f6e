import { describe, expect, it } from 'vitest'
import { signBody, verifySignature } from '../../shared/github/signature'

// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
const SECRET = "It's a Secret to Everybody"
const BODY = 'Hello, World!'
const EXPECTED = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'

describe('signBody', () => {
  it("matches GitHub's documented test vector", () => {
    expect(signBody(SECRET, BODY)).toBe(EXPECTED)
  })

  it('signs strings and Buffers of the same bytes alike', () => {
    expect(signBody(SECRET, Buffer.from(BODY, 'utf8'))).toBe(EXPECTED)
    const unicode = '{"msg":"héllo – 世界 🚀"}'
    expect(signBody('s3cret', unicode)).toBe(signBody('s3cret', Buffer.from(unicode, 'utf8')))
  })

  it('is sha256= followed by 64 lowercase hex digits', () => {
    expect(signBody('k', '')).toMatch(/^sha256=[0-9a-f]{64}$/)
  })
})

describe('verifySignature', () => {
  it("accepts GitHub's documented vector (string and Buffer bodies)", () => {
    expect(verifySignature(SECRET, BODY, EXPECTED)).toBe(true)
    expect(verifySignature(SECRET, Buffer.from(BODY), EXPECTED)).toBe(true)
  })

  it('accepts a header of its own signBody', () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40) })
    expect(verifySignature('top-secret', body, signBody('top-secret', body))).toBe(true)
  })

  it('rejects a wrong secret', () => {
    expect(verifySignature("It's a secret to everybody", BODY, EXPECTED)).toBe(false)
    expect(verifySignature('', BODY, EXPECTED)).toBe(false)
  })

  it('rejects a body changed by one byte', () => {
    expect(verifySignature(SECRET, 'Hello, World?', EXPECTED)).toBe(false)
    expect(verifySignature(SECRET, 'Hello, World! ', EXPECTED)).toBe(false)
    const bytes = Buffer.from(BODY)
    bytes[0] = (bytes[0] ?? 0) ^ 1
    expect(verifySignature(SECRET, bytes, EXPECTED)).toBe(false)
  })

  it('rejects a missing or empty header', () => {
    expect(verifySignature(SECRET, BODY, undefined)).toBe(false)
    expect(verifySignature(SECRET, BODY, '')).toBe(false)
  })

  it('rejects the SHA-1 header format, even with the right SHA-1 HMAC', () => {
    expect(verifySignature(SECRET, BODY, EXPECTED.replace('sha256=', 'sha1='))).toBe(false)
    expect(verifySignature(SECRET, BODY, 'sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59')).toBe(false)
  })

  it('accepts uppercase hex (hex digits are case-insensitive)', () => {
    expect(verifySignature(SECRET, BODY, `sha256=${EXPECTED.slice(7).toUpperCase()}`)).toBe(true)
  })

  it('rejects a digest of the wrong length', () => {
    expect(verifySignature(SECRET, BODY, EXPECTED.slice(0, -1))).toBe(false)
    expect(verifySignature(SECRET, BODY, `${EXPECTED}0`)).toBe(false)
    expect(verifySignature(SECRET, BODY, 'sha256=')).toBe(false)
  })

  it('rejects non-hex digests and stray whitespace without throwing', () => {
    expect(verifySignature(SECRET, BODY, `sha256=${'g'.repeat(64)}`)).toBe(false)
    expect(verifySignature(SECRET, BODY, `sha256=${EXPECTED.slice(7, -1)}z`)).toBe(false)
    expect(verifySignature(SECRET, BODY, ` ${EXPECTED}`)).toBe(false)
    expect(verifySignature(SECRET, BODY, `${EXPECTED}\n`)).toBe(false)
    expect(verifySignature(SECRET, BODY, EXPECTED.slice(7))).toBe(false)
    expect(verifySignature(SECRET, BODY, `sha256=${'é'.repeat(64)}`)).toBe(false)
  })
})
