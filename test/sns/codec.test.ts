/** The generic notation: lossless for any JSON value, compact for CI data, strict on bad text. */
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decode, encode, SnsSyntaxError, type JsonValue } from '../../shared/sns/index'
import { marksOf } from '../../shared/sns/marks'

const RUNS = { numRuns: Number(process.env.SNS_FC_RUNS ?? 600) }

/** JSON's view of a value (`-0` → `0`), which is what a lossless round trip must give back. */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as JsonValue

/** node's deep equality: own `__proto__`/`constructor` keys are data here, not types. */
function roundTrips(v: unknown): void {
  const json = asJson(v)
  const text = encode(json)
  const back = decode(text)
  expect(isDeepStrictEqual(back, json), `${JSON.stringify(json)} → ${JSON.stringify(text)} → ${JSON.stringify(back)}`).toBe(true)
}

// Strings made of the characters the notation gives a meaning to, and of the words it reserves.
const SPECIAL = ['|', ':', ',', '[', ']', '{', '}', '"', '\\', '\n', '\r', '\t', ' ', '^', '…', './', '../', '/', '.', '-', '+', 'e', 'E', '0', '1', '9', 'a', 'Z', 'é', '😀', '\u2028', '\u0000', '\u007f', 'true', 'false', 'null', '#', '~', '=']
const specialString = fc.array(fc.constantFrom(...SPECIAL), { maxLength: 8 }).map((parts) => parts.join(''))
const numericString = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer().map(String),
  fc.constantFrom('0', '-0', '01', '.5', '-.5', '1.', '1e5', '1E-5', '1e+5', '0x1F', 'Infinity', 'NaN', '+1', '- 1', '1_000', '١٢'),
  fc.constantFrom('true', 'false', 'null', 'True', 'NULL', '', ' ', 'undefined'),
)
const anyString = fc.oneof(fc.string({ unit: 'binary' }), specialString, numericString)
const key = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), specialString, numericString, fc.constantFrom('__proto__', 'constructor', 'toString'))
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 0.1, -0.25, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2))
const scalar = fc.oneof(anyString, number, fc.boolean(), fc.constant(null))

// Values that look alike row after row: paths, times and versions (the dittos), repeated words.
const PATHS = ['src/api/users.ts', 'src/api/orders.ts', 'src/db/models.ts', 'src/api/v2/x.ts', 'README.md', '/abs/x', 'a/../b', 'a/./b', '../up', './here', 'x/y/', '/', '//', 'a//b']
const ciString = fc.oneof(
  fc.constantFrom(...PATHS),
  fc.constantFrom('2026-11-23T19:20:00Z', '2026-11-23T19:21:00Z', '2026-11-23T20:01:00Z', '2026.11.18-77ac2f1', '2026.11.20-4be81d0', 'not reachable from the changed files', 'unit', 'x'),
  specialString,
)

const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object'), tie('table')),
  array: fc.array(fc.oneof(tie('tree'), ciString), { maxLength: 6 }),
  object: fc.dictionary(key, tie('tree'), { maxKeys: 6 }),
  // Same-shaped objects (some keys missing), so the tabular form is taken.
  table: fc.array(
    fc.record(
      { file: ciString, status: fc.constantFrom('added', 'modified', 'removed'), n: number, via: fc.array(ciString, { maxLength: 3 }), 'k|ey': tie('tree'), '': scalar },
      { requiredKeys: ['file'] },
    ),
    { minLength: 2, maxLength: 6 },
  ),
}))

describe('encode/decode round trip (property)', () => {
  it('fc.jsonValue()', () => {
    fc.assert(fc.property(fc.jsonValue(), roundTrips), RUNS)
  })

  it('fc.jsonValue() with any unicode strings', () => {
    fc.assert(fc.property(fc.jsonValue({ stringUnit: 'binary' }), roundTrips), RUNS)
  })

  it('strings of special characters, alone and in every position', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        roundTrips(s)
        roundTrips([s])
        roundTrips([s, s, 'x/y', s])
        roundTrips({ k: s })
        roundTrips({ [s]: s })
        roundTrips({ k: { k: s } })
        roundTrips([{ a: s, b: 1 }, { a: s, b: 2 }, { b: s }])
      }),
      RUNS,
    )
  })

  it('keys with separators, empty keys and prototype names', () => {
    fc.assert(fc.property(fc.dictionary(key, scalar, { maxKeys: 8 }), (o) => {
      roundTrips(o)
      roundTrips([o, o])
    }), RUNS)
  })

  it('strings that look like numbers, booleans or null stay strings', () => {
    fc.assert(fc.property(numericString, (s) => {
      roundTrips(s)
      roundTrips({ v: s, w: [s, s] })
    }), RUNS)
  })

  it('numbers (integers, negatives, floats, exponents)', () => {
    fc.assert(fc.property(number, (n) => {
      roundTrips(n)
      roundTrips([n, n])
      roundTrips({ n })
    }), RUNS)
  })

  it('nested arrays, objects and tables', () => {
    fc.assert(fc.property(tree, roundTrips), RUNS)
  })

  it('deep nesting', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('array', 'object', 'table'), { minLength: 1, maxLength: 60 }), scalar, (kinds, leaf) => {
        let v: JsonValue = leaf
        for (const k of kinds) v = k === 'array' ? [v] : k === 'object' ? { k: v } : [{ a: v, b: 1 }, { a: v, b: 2 }]
        roundTrips(v)
      }),
      RUNS,
    )
  })

  it('lists that start like the list before or above them (the ^N ditto)', () => {
    const item = fc.oneof(ciString, scalar)
    fc.assert(
      fc.property(fc.array(item, { maxLength: 5 }), fc.array(fc.tuple(fc.nat(6), fc.array(item, { maxLength: 3 })), { minLength: 1, maxLength: 5 }), (base, tails) => {
        const lists = tails.map(([n, tail]) => [...base.slice(0, n), ...tail])
        roundTrips(lists)
        roundTrips(lists.map((reasons, i) => ({ file: `test/${i}.test.ts`, reasons })))
        roundTrips([lists, lists.slice(1)])
      }),
      RUNS,
    )
  })

  it('arrays of same-shaped objects (the tabular form)', () => {
    const row = fc.record({ path: ciString, status: fc.constantFrom('added', 'modified'), additions: fc.nat(), deletions: fc.nat(), note: anyString })
    fc.assert(
      fc.property(fc.array(row, { minLength: 2, maxLength: 12 }), (rows) => {
        const text = encode(rows)
        expect(text.startsWith('[{path|status|additions|deletions|note}\n')).toBe(true)
        roundTrips(rows)
        roundTrips({ files: rows, count: rows.length })
      }),
      RUNS,
    )
  })
})

describe('what the text looks like', () => {
  it('writes CI data without quotes or escapes', () => {
    expect(encode({ repo: 'billionmail', commit: 'abc123', branch: 'main', files: ['api.py', 'models.py'], lines: [45, -12] })).toBe(
      'repo:billionmail|commit:abc123|branch:main|files:[api.py,models.py]|lines:[45,-12]',
    )
    expect(encode({ message: 'fix(api): handle 404s, retry twice', url: 'https://github.com/o/r/pull/2?x=1' })).toBe(
      'message:fix(api): handle 404s, retry twice|url:https://github.com/o/r/pull/2?x=1',
    )
  })

  it('quotes only what would be misread', () => {
    expect(encode({ a: '', b: '1', c: 'true', d: 'x|y', e: 'line\nbreak', '': 0, 'k:v': null })).toBe(
      'a:""|b:"1"|c:"true"|d:"x|y"|e:"line\\nbreak"|"":0|"k:v":null',
    )
    expect(encode(['a,b', 'pages/[id].tsx', '^caret', './rel'])).toBe('["a,b","pages/[id].tsx","^caret","./rel"]')
    expect(encode('plain words')).toBe('plain words')
    expect(encode('a:b')).toBe('"a:b"')
    expect(encode({})).toBe('{}')
    expect(encode([])).toBe('[]')
    expect(encode(-0)).toBe('0')
    expect(encode([0.5, -0.25, 1e21, 1e-7])).toBe('[.5,-.25,1e21,1e-7]')
  })

  it('writes arrays of same-shaped objects as a table, with dittos for repeats', () => {
    const rows: JsonValue[] = [
      { file: 'test/unit/a/b.test.ts', category: 'unit', reason: 'not reachable from the changed files' },
      { file: 'test/unit/a/c.test.ts', category: 'unit', reason: 'not reachable from the changed files' },
      { file: 'test/e2e/d.spec.ts', category: 'e2e' },
    ]
    expect(encode(rows)).toBe('[{file|category|reason}\ntest/unit/a/b.test.ts|unit|not reachable from the changed files\n./c.test.ts|^|^\ntest/e2e/d.spec.ts|e2e]')
    expect(encode(['2026-11-23T19:20:00Z', '2026-11-23T19:21:00Z'])).toBe('[2026-11-23T19:20:00Z,…21:00Z]')
  })

  it('starts a list with ^N when its first N items are those of the list above or before it', () => {
    const rows: JsonValue[] = [
      { file: 'test/a.test.ts', reasons: ['imports src/app.ts via test/server.ts', 'imports src/db.ts via test/server.ts', 'and 2 more'] },
      { file: 'test/b.test.ts', reasons: ['imports src/app.ts via test/server.ts', 'imports src/db.ts via test/server.ts', 'and 1 more'] },
    ]
    expect(encode(rows)).toBe('[{file|reasons}\ntest/a.test.ts|[imports src/app.ts via test/server.ts,imports src/db.ts via test/server.ts,and 2 more]\n./b.test.ts|[^2,and 1 more]]')
    expect(encode([['alpha', 'beta', 'gamma'], ['alpha', 'beta']])).toBe('[[alpha,beta,gamma],[^2]]')
    expect(encode([['a', 'b'], ['a', 'b', 'c'], ['a', 'x']])).toBe('[[a,b],[^2,c],[a,x]]')
  })
})

describe('marksOf', () => {
  it('names the tables and dittos a text uses, and nothing for plain key:value text', () => {
    expect([...marksOf('repo:acme/web|files:[a.ts,b.ts]|n:{x:1}')]).toEqual([])
    expect([...marksOf('t:[{a|b}\nx|[p,q]\n^|[^2,r]]')].sort()).toEqual(['prefix', 'repeat', 'table'])
    expect([...marksOf('[src/a/b.ts,./c.ts,2026-11-23T19:20:00Z,…21:00Z]')].sort()).toEqual(['path', 'tail'])
    expect([...marksOf('[[src/a.ts,x],[^,y]]')].sort()).toEqual(['above', 'repeat'])
  })
})

describe('malformed text', () => {
  const cases: Array<[string, RegExp, number]> = [
    ['', /empty input/, 0],
    ['{a:1', /expected "\|" or "}" but found end of input/, 4],
    ['a:1|', /expected a key/, 4],
    ['a:1|a:2', /duplicate key "a"/, 0],
    ['[1,2', /expected "," or "\]" in an array/, 4],
    ['"abc', /unterminated quoted string/, 0],
    ['"\\x"', /invalid quoted string/, 0],
    ['a:"x"y', /expected end of input but found "y"/, 5],
    ['[{a|b}\n1|2|3]', /more cells than the 2 columns/, 10],
    ['[{a|b}]', /expected a newline and the first row/, 6],
    ['[^]', /no value above or before it/, 1],
    ['[x,./y]', /needs a string path|climbs above/, 3],
    ['[a/b,…toolong]', /needs 1 to 3 characters/, 5],
    ['[^2]', /list ditto "\^2" with no list above or before it/, 1],
    ['[[a,b],[^3]]', /list ditto "\^3" but the list above or before it has 2 item\(s\)/, 8],
    ['[[a,b],[^2x]]', /expected "," or "\]" after list ditto "\^2"/, 10],
    ['[[a,b],[^02]]', /without leading zeros/, 8],
    ['[[a,b],[a,^2]]', /expected the end of the value after ditto "\^"/, 11],
    ['k:^', /ditto "\^" stands only in an array or a table/, 2],
    ['a:b\tc', /control character U\+0009/, 3],
    ['a b|c', /expected end of input but found "\|"/, 3],
    ['x:1}', /expected end of input but found "}"/, 3],
    ['n:1e400', /number 1e400 is out of range/, 2],
  ]
  it.each(cases)('rejects %j naming the position', (text, message, position) => {
    let caught: unknown
    try {
      decode(text)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(SnsSyntaxError)
    const err = caught as SnsSyntaxError
    expect(err.message).toMatch(message)
    expect(err.position).toBe(position)
    expect(err.message).toContain(`at position ${position} (line `)
  })

  it('names line and column on multi-line text', () => {
    expect(() => decode('t:[{a|b}\n1|2\n3|"x]')).toThrow(/at position 15 \(line 3, column 3\)/)
  })
})
