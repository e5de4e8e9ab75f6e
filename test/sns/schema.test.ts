/** Schema-aware mode: values only, lossless against the schema, zod's errors for bad values. */
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { agentContexts, buildContext, buildContextSchema, monitorContext, monitorContextSchema, testContext, testContextSchema } from '../../bench/sns-contexts'
import { decodeWith, encodeWith, SnsSyntaxError } from '../../shared/sns/index'

const RUNS = { numRuns: Number(process.env.SNS_FC_RUNS ?? 500) }
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v))

const SPECIAL = ['|', ':', ',', '[', ']', '{', '}', '"', '\\', '\n', '\t', ' ', '^', '…', './', '../', '/', '.', '-', '1', 'e', 'a', 'é', '😀', 'true', 'null', '']
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.array(fc.constantFrom(...SPECIAL), { maxLength: 6 }).map((p) => p.join('')),
  fc.constantFrom('src/api/users.ts', 'src/api/orders.ts', 'src/db/models.ts', '2026-11-23T19:20:00Z', '2026-11-23T19:21:00Z', 'null', '123', '-1.5', ''),
)

/** An arbitrary of values a schema accepts, for the subset schema-aware mode supports. */
function arbitraryOf(schema: z.ZodType): fc.Arbitrary<unknown> {
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodType>
    const model: Record<string, fc.Arbitrary<unknown>> = {}
    const required: string[] = []
    for (const [k, child] of Object.entries(shape)) {
      model[k] = arbitraryOf(child)
      if (child._zod.optout !== 'optional') required.push(k)
    }
    return fc.record(model, { requiredKeys: required })
  }
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) return arbitraryOf(schema.def.innerType as z.ZodType)
  if (schema instanceof z.ZodNullable) return fc.option(arbitraryOf(schema.unwrap() as z.ZodType), { nil: null, freq: 3 })
  if (schema instanceof z.ZodString) return anyString
  if (schema instanceof z.ZodNumber) {
    const min = Number.isFinite(schema.minValue ?? -Infinity) ? (schema.minValue as number) : -1e6
    const max = Number.isFinite(schema.maxValue ?? Infinity) ? (schema.maxValue as number) : 1e6
    return schema.isInt
      ? fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) })
      : fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 0.5, 0.0013).filter((x) => x >= min && x <= max))
  }
  if (schema instanceof z.ZodBoolean) return fc.boolean()
  if (schema instanceof z.ZodEnum) return fc.constantFrom(...(schema.options as string[]))
  if (schema instanceof z.ZodLiteral) return fc.constantFrom(...[...(schema.values as Set<unknown>)])
  if (schema instanceof z.ZodArray) return fc.array(arbitraryOf(schema.element as z.ZodType), { maxLength: 6 })
  if (schema instanceof z.ZodRecord) return fc.dictionary(anyString, arbitraryOf(schema.valueType as z.ZodType), { maxKeys: 4 })
  if (schema instanceof z.ZodUnknown || schema instanceof z.ZodAny) return fc.jsonValue({ maxDepth: 3 })
  throw new Error(`no arbitrary for ${schema.def.type}`)
}

function roundTrips<S extends z.ZodObject>(schema: S, value: unknown): string {
  const text = encodeWith(schema, value as z.input<S>)
  const back = decodeWith(schema, text)
  const expected = asJson(schema.parse(value))
  expect(isDeepStrictEqual(back, expected), `${JSON.stringify(expected)}\n→ ${JSON.stringify(text)}\n→ ${JSON.stringify(back)}`).toBe(true)
  return text
}

/** Every supported kind, with the awkward cases: prefix-sharing enum values, "null", "", flags. */
const edgeSchema = z.object({
  s: z.string(),
  n: z.number(),
  i: z.int(),
  b: z.boolean(),
  e: z.enum(['a', 'ab', 'abc', 'b', 'null', '', 'x|y', ' sp', '1']),
  lit: z.literal('k'),
  ns: z.string().nullable(),
  nullishEnum: z.enum(['null', 'none', 'x']).nullish(),
  o: z.object({ x: z.number().optional(), y: z.boolean().optional(), z: z.boolean() }).optional(),
  rows: z.array(
    z.object({
      path: z.string(),
      via: z.array(z.string()),
      flag: z.boolean(),
      kind: z.enum(['unit', 'integration', 'e2e']),
      note: z.string().optional(),
      nested: z.object({ a: z.string().nullable(), b: z.array(z.number()) }).nullable(),
    }),
  ),
  optionalRows: z.array(z.object({ only: z.string().optional() })).optional(),
  rec: z.record(z.string(), z.number().nullable()),
  grid: z.array(z.array(z.string())),
  anything: z.unknown(),
  withDefault: z.number().default(7),
  last: z.string().optional(),
})

describe('schema-aware round trip (property)', () => {
  it.each(agentContexts.map((c) => [c.name, c.schema] as const))('%s context schema, arbitrary values', (_name, schema) => {
    fc.assert(fc.property(arbitraryOf(schema), (v) => void roundTrips(schema, v)), RUNS)
  })

  it('a schema with every supported kind and the awkward values', () => {
    fc.assert(fc.property(arbitraryOf(edgeSchema), (v) => void roundTrips(edgeSchema, v)), RUNS)
  })

  it('lists that start like the list above (the ^N ditto)', () => {
    const s = z.object({ rows: z.array(z.object({ file: z.string(), reasons: z.array(z.string()) })), grid: z.array(z.array(z.string())) })
    const item = fc.constantFrom('imports src/a.ts', 'imports src/b.ts via src/a.ts', 'x', '^', '…', './y', '')
    fc.assert(
      fc.property(fc.array(item, { maxLength: 4 }), fc.array(fc.tuple(fc.nat(5), fc.array(item, { maxLength: 2 })), { maxLength: 4 }), (base, tails) => {
        const lists = tails.map(([n, tail]) => [...base.slice(0, n), ...tail])
        roundTrips(s, { rows: lists.map((reasons, i) => ({ file: `t${i}`, reasons })), grid: lists })
      }),
      RUNS,
    )
  })

  it('the bench contexts themselves', () => {
    for (const c of agentContexts) roundTrips(c.schema, c.value)
  })
})

describe('what schema-aware text looks like', () => {
  it('has no keys: fields in schema order, enums as codes, flags empty when false', () => {
    const s = z.object({ repo: z.string(), kind: z.enum(['unit', 'integration', 'e2e']), ok: z.boolean(), n: z.number().optional(), files: z.array(z.string()) })
    expect(encodeWith(s, { repo: 'acme/web', kind: 'integration', ok: false, files: ['src/a.ts', 'src/b.ts'] })).toBe('acme/web|i|||[src/a.ts,./b.ts]')
    expect(encodeWith(s, { repo: '123', kind: 'e2e', ok: true, n: 0.5, files: [] })).toBe('123|e|true|.5|[]')
    expect(decodeWith(s, 'acme/web|u|||[x]')).toEqual({ repo: 'acme/web', kind: 'unit', ok: false, files: ['x'] })
  })

  it('writes arrays of objects as rows', () => {
    const text = encodeWith(testContextSchema, testContext)
    expect(text).toContain('|[\npackages/shared/test/csv/escape.test.ts|u|[packages/shared/src/csv/escape.ts]|null\n./writer.test.ts|u|[./writer.ts]|null\n')
    expect(encodeWith(monitorContextSchema, monitorContext)).toContain('\n2026-11-23T19:20:00Z|true|1184|.0017|221|402|.43|.61\n…21:00Z|true|')
    expect(encodeWith(buildContextSchema, buildContext)).toContain('|[\n.github/workflows/ci.yml|m|6|2\nDockerfile|m|9|4\n')
    const s = z.object({ rows: z.array(z.object({ f: z.string(), r: z.array(z.string()) })) })
    const v = { rows: [{ f: 'a', r: ['one', 'two', 'three'] }, { f: 'b', r: ['one', 'two', 'four'] }] }
    expect(encodeWith(s, v)).toBe('[\na|[one,two,three]\nb|[^2,four]]')
    expect(decodeWith(s, '[\na|[one,two,three]\nb|[^2,four]]')).toEqual(v)
  })
})

describe('errors', () => {
  it('rejects values the schema rejects, with the ZodError', () => {
    expect(() => encodeWith(edgeSchema, { s: 'x' } as never)).toThrow(z.ZodError)
    expect(() => encodeWith(buildContextSchema, { ...buildContext, changed: [{ path: 'a', status: 'copied', additions: 1, deletions: 0 }] } as never)).toThrow(z.ZodError)
  })

  it('rejects text that does not fit the schema, naming the position', () => {
    const s = z.object({ a: z.string(), k: z.enum(['unit', 'e2e']), n: z.number(), o: z.string().optional() })
    const cases: Array<[string, RegExp]> = [
      ['x', /missing required field "k" at position 1/],
      ['x|q|1', /unknown code "q" \(expected one of u, e\) at position 2/],
      ['x|u|one', /expected a number but found "one" at position 4/],
      ['x|u|1|y|z', /more fields than the schema's 4 at position 7/],
      ['|u|1', /missing required field "a" at position 0/],
      ['"x|u|1', /unterminated quoted string at position 0/],
    ]
    for (const [text, message] of cases) {
      expect(() => decodeWith(s, text), text).toThrow(SnsSyntaxError)
      expect(() => decodeWith(s, text), text).toThrow(message)
    }
    // Well-formed text whose values the schema refuses: zod says why.
    expect(() => decodeWith(z.object({ n: z.number().max(3) }), '5')).toThrow(z.ZodError)
  })

  it('refuses schemas it cannot write positionally, naming the path', () => {
    expect(() => encodeWith(z.object({ a: z.object({ u: z.union([z.string(), z.number()]) }) }), { a: { u: 1 } })).toThrow(/\$\.a\.u uses union/)
    expect(() => encodeWith(z.object({ a: z.looseObject({}) }), { a: {} })).toThrow(/\$\.a keeps unknown keys/)
  })
})
