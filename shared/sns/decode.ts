/**
 * The generic decoder: notation text → JSON value. Rejects malformed text with an
 * `SnsSyntaxError` naming the position.
 */
import { looksLikeDitto, readDitto } from './ditto'
import { setOwn, type JsonObject, type JsonValue } from './json'
import { LITERALS, NUMBER_RE, type Place } from './lexical'
import { listAbove, readPrefixDitto } from './prefix'
import { Reader } from './reader'

export function decode(text: string): JsonValue {
  return readDocument(new Reader(text))
}

/** A whole document from `r` (its `marks` then name the tables and dittos it used). */
export function readDocument(r: Reader): JsonValue {
  if (r.done) r.fail('empty input (an empty string is written "")')
  const first = r.peek()
  let value: JsonValue
  if (first === '{' || first === '[') {
    value = readValue(r, 'root')
  } else {
    // A key followed by ":" starts a brace-less top-level object; anything else is one scalar.
    const at = r.pos
    const head = first === '"' ? r.quoted() : r.bare('root')
    if (r.peek() === ':') {
      value = readMembers(r, head, at)
    } else {
      value = first === '"' ? head : scalar(r, head, at)
    }
  }
  r.expectEnd()
  return value
}

/** The words and numbers of a bare run. */
export function scalar(r: Reader, text: string, at: number): JsonValue {
  if (text.length === 0) r.fail(`expected a value but found ${r.describe()}`, at)
  if (NUMBER_RE.test(text)) {
    const n = Number(text)
    if (!Number.isFinite(n)) r.fail(`number ${text} is out of range`, at)
    return n
  }
  const lit = LITERALS.get(text)
  if (lit !== undefined) return lit
  if (text.startsWith('^')) r.fail('a ditto "^" stands only in an array or a table; quote a string that starts with "^"', at)
  return text
}

/** Any value in `place`; `prev` is what a ditto would repeat. */
export function readValue(r: Reader, place: Place, prev?: JsonValue): JsonValue {
  const at = r.pos
  switch (r.peek()) {
    case '{': {
      r.pos++
      if (r.peek() === '}') {
        r.pos++
        return {}
      }
      const obj = readMembers(r, r.key(), at)
      r.expect('}', '"|" or "}"')
      return obj
    }
    case '[':
      return readArray(r, listAbove(prev))
    case '"':
      return r.quoted()
  }
  if ((place === 'array' || place === 'cell') && looksLikeDitto(r.text.slice(r.pos, r.pos + 3))) return readDitto(r, prev, place)
  return scalar(r, r.bare(place), at)
}

/** Members after the first key has been read, up to (not including) the closing brace or end. */
function readMembers(r: Reader, firstKey: string, objectAt: number): JsonObject {
  const obj: JsonObject = {}
  let key = firstKey
  for (;;) {
    if (Object.prototype.hasOwnProperty.call(obj, key)) r.fail(`duplicate key ${JSON.stringify(key)}`, objectAt)
    r.expect(':', `":" after key ${JSON.stringify(key)}`)
    setOwn(obj, key, readValue(r, 'object'))
    if (r.peek() !== '|') return obj
    r.pos++
    key = r.key()
  }
}

/** `above` is the list before or above this one, which its dittos refer to (see prefix.ts). */
function readArray(r: Reader, above: JsonValue[] | undefined): JsonValue[] {
  r.expect('[')
  if (r.peek() === ']') {
    r.pos++
    return []
  }
  if (r.peek() === '{' && isTableHeader(r)) return readTable(r)
  const head = readPrefixDitto(r, above)
  const out: JsonValue[] = head ?? []
  let prev = head ? out[out.length - 1] : above?.[0]
  // after `^N` the reader stands at its "," or "]"
  for (let item = head === null; ; item = true) {
    if (item) {
      if (out.length === 0 && prev !== undefined && looksLikeDitto(r.text.slice(r.pos, r.pos + 3))) r.marks.add('above')
      const v = readValue(r, 'array', prev)
      out.push(v)
      prev = v
    }
    const ch = r.peek()
    if (ch === ',') {
      r.pos++
      continue
    }
    if (ch === ']') {
      r.pos++
      return out
    }
    r.fail(`expected "," or "]" in an array but found ${r.describe()}`)
  }
}

/** At `[{`: a table header (`{a|b}`) rather than an object (`{a:…}` or `{}`)? */
function isTableHeader(r: Reader): boolean {
  const save = r.pos
  try {
    r.pos++
    if (r.peek() === '}') return false
    r.key()
    return r.peek() !== ':'
  } finally {
    r.pos = save
  }
}

function readTable(r: Reader): JsonObject[] {
  r.marks.add('table')
  r.expect('{')
  const header: string[] = []
  for (;;) {
    const at = r.pos
    const k = r.key()
    if (header.includes(k)) r.fail(`duplicate column ${JSON.stringify(k)}`, at)
    header.push(k)
    if (r.peek() === '|') {
      r.pos++
      continue
    }
    r.expect('}', '"|" or "}" in a table header')
    break
  }
  if (r.peek() !== '\n') r.fail(`expected a newline and the first row after the table header but found ${r.describe()}`)
  const rows: JsonObject[] = []
  let above: JsonObject | undefined
  while (r.peek() === '\n') {
    r.pos++
    const row: JsonObject = {}
    for (let i = 0; i < header.length; i++) {
      const k = header[i] as string
      if (!r.atEnd('cell')) {
        const prev = above && Object.prototype.hasOwnProperty.call(above, k) ? above[k] : undefined
        setOwn(row, k, readValue(r, 'cell', prev))
      }
      const ch = r.peek()
      if (ch === '|') {
        if (i === header.length - 1) r.fail(`row ${rows.length + 1} has more cells than the ${header.length} columns`)
        r.pos++
        continue
      }
      if (ch === '\n' || ch === ']') break
      r.fail(`expected "|", a newline or "]" after a cell but found ${r.describe()}`)
    }
    rows.push(row)
    above = row
  }
  r.expect(']', 'a newline or "]" after a table row')
  return rows
}
