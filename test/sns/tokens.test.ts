/** tokenCounts: o200k_base counts of the four renderings. */
import { describe, expect, it } from 'vitest'
import { buildContext, buildContextSchema } from '../../bench/sns-contexts'
import type { JsonValue } from '../../shared/sns/index'
import { countText, tokenCounts } from '../../shared/sns/tokens'

describe('tokenCounts', () => {
  it('counts pretty JSON, minified JSON, TOON and sns', () => {
    const value = { repo: 'acme/web', files: ['src/a.ts', 'src/b.ts'], ok: true }
    const c = tokenCounts(value)
    expect(c.minifiedJson).toBe(countText(JSON.stringify(value)))
    expect(c.prettyJson).toBeGreaterThan(c.minifiedJson)
    expect(c.toon).toBeGreaterThan(0)
    expect(c.sns).toBeLessThan(c.minifiedJson)
  })

  it('uses the schema-aware form when given a schema', () => {
    const value = buildContextSchema.parse(buildContext) as JsonValue
    expect(tokenCounts(value, buildContextSchema).sns).toBeLessThan(tokenCounts(value).sns)
  })

  it('counts special-token text as plain text instead of throwing', () => {
    expect(tokenCounts({ log: 'a <|endoftext|> b' }).sns).toBeGreaterThan(3)
  })
})
