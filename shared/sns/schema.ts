/**
 * Schema-aware mode: with a zod object schema both sides know the keys, their order and their
 * types, so the text carries values only. Objects are their fields in schema order joined by `|`
 * (braced when nested), arrays of objects are rows under no header, enums are short codes,
 * an absent optional field is an empty slot (trailing ones are dropped), so is a required
 * boolean that is false (a flag: `true` or nothing), strings are quoted only
 * when their characters require it, and dittos work as in the generic form.
 */
import { z } from 'zod'
import { looksLikeDitto, readDitto, writeDitto } from './ditto'
import { writeValue } from './encode'
import { readValue } from './decode'
import { setOwn, type JsonObject, type JsonPrimitive, type JsonValue } from './json'
import { formatNumber, isBareString, isBareText, NUMBER_RE, quote, writeKey, type Place } from './lexical'
import { listAbove, readPrefixDitto, withPrefixDitto } from './prefix'
import { Reader } from './reader'

interface Field {
  key: string
  shape: Shape
  optional: boolean
  /** A required boolean: written `true`, or left empty for false, like a flag. */
  flag: boolean
}

type Shape =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'choice'; values: JsonPrimitive[]; codes: string[] }
  | { kind: 'object'; fields: Field[] }
  | { kind: 'array'; element: Shape }
  | { kind: 'record'; value: Shape }
  | { kind: 'nullable'; inner: Shape }
  | { kind: 'json' }

const compiled = new WeakMap<z.ZodType, Shape>()

function objectShape(schema: z.ZodObject): Shape & { kind: 'object' } {
  const hit = compiled.get(schema)
  if (hit?.kind === 'object') return hit
  const shape = compile(schema, '$')
  if (shape.kind !== 'object') throw new TypeError('sns: encodeWith/decodeWith need a z.object schema')
  compiled.set(schema, shape)
  return shape
}

function compile(schema: z.ZodType, path: string): Shape {
  if (schema instanceof z.ZodObject) {
    const catchall: unknown = schema.def.catchall
    if (catchall !== undefined && !(catchall instanceof z.ZodNever)) {
      throw new TypeError(`sns: ${path} keeps unknown keys (loose object); schema-aware mode needs a fixed set of keys`)
    }
    const fields: Field[] = []
    for (const [key, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      // zod's own view of whether the key may be absent from the output (.optional(), .nullish(), ...).
      const optional = child._zod.optout === 'optional'
      const shape = compile(child, `${path}.${key}`)
      fields.push({ key, optional, shape, flag: !optional && shape.kind === 'boolean' })
    }
    return { kind: 'object', fields }
  }
  if (schema instanceof z.ZodString) return { kind: 'string' }
  if (schema instanceof z.ZodNumber) return { kind: 'number' }
  if (schema instanceof z.ZodBoolean) return { kind: 'boolean' }
  if (schema instanceof z.ZodEnum) return choice(schema.options as JsonPrimitive[], path)
  if (schema instanceof z.ZodLiteral) return choice([...(schema.values as Set<unknown>)], path)
  if (schema instanceof z.ZodNull) return choice([null], path)
  if (schema instanceof z.ZodArray) return { kind: 'array', element: compile(schema.element as z.ZodType, `${path}[]`) }
  if (schema instanceof z.ZodNullable) {
    const inner = compile(schema.unwrap() as z.ZodType, path)
    return inner.kind === 'nullable' || inner.kind === 'json' ? inner : { kind: 'nullable', inner }
  }
  if (schema instanceof z.ZodRecord) {
    const key = schema.keyType as z.ZodType
    if (!(key instanceof z.ZodString || key instanceof z.ZodEnum)) throw new TypeError(`sns: ${path} is a record whose keys are not strings`)
    return { kind: 'record', value: compile(schema.valueType as z.ZodType, `${path}{}`) }
  }
  // Outside an object field an undefined value has no JSON form; the writer rejects it.
  if (schema instanceof z.ZodOptional) return compile(schema.unwrap() as z.ZodType, path)
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodCatch || schema instanceof z.ZodReadonly) {
    return compile(schema.def.innerType as z.ZodType, path)
  }
  if (schema instanceof z.ZodUnknown || schema instanceof z.ZodAny) return { kind: 'json' }
  throw new TypeError(`sns: ${path} uses ${schema.def.type}, which schema-aware mode does not support (use z.unknown() for free-form JSON)`)
}

/** Enum and literal values with their codes: the shortest prefix no other value starts with. */
function choice(raw: unknown[], path: string): Shape {
  const values: JsonPrimitive[] = []
  for (const v of raw) {
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) values.push(v)
    else throw new TypeError(`sns: ${path} has a value (${String(v)}) that JSON cannot carry`)
  }
  const texts = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
  const codes = texts.map((t, i) => {
    for (let n = 1; n < t.length; n++) {
      const p = t.slice(0, n)
      if (texts.every((o, j) => j === i || !o.startsWith(p))) return p
    }
    return t
  })
  return { kind: 'choice', values, codes }
}

// ---------------------------------------------------------------- encoding

export function encodeWith<S extends z.ZodObject>(schema: S, value: z.input<S>): string {
  const shape = objectShape(schema)
  const parsed: unknown = schema.parse(value)
  return writeFields(shape, parsed as Record<string, unknown>, 'object', undefined)
}

function writeFields(shape: Shape & { kind: 'object' }, obj: Record<string, unknown>, place: Place, above: Record<string, unknown> | undefined): string {
  const parts: string[] = []
  for (const f of shape.fields) {
    const v = obj[f.key]
    if (v === undefined || (f.flag && v === false)) {
      parts.push('')
      continue
    }
    const prev = above?.[f.key] as JsonValue | undefined
    const written = write(f.shape, v, place, prev)
    parts.push(writeDitto(v as JsonValue, prev, written, place) ?? written)
  }
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts.join('|')
}

/** `prev`: the cell above or the previous element, which dittos and first elements refer to. */
function write(shape: Shape, v: unknown, place: Place, prev?: JsonValue): string {
  if (v === undefined) throw new TypeError('sns: undefined in an array or record has no JSON form')
  switch (shape.kind) {
    case 'string':
      return writeText(v as string, place)
    case 'number':
      return formatNumber(v as number)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'choice': {
      const i = shape.values.indexOf(v as JsonPrimitive)
      if (i < 0) throw new TypeError(`sns: ${JSON.stringify(v)} is not one of the schema's values`)
      return writeText(shape.codes[i] as string, place)
    }
    case 'nullable': {
      if (v === null) return 'null'
      const w = write(shape.inner, v, place, prev)
      return w === 'null' ? quote('null') : w
    }
    case 'object':
      return `{${writeFields(shape, v as Record<string, unknown>, 'object', undefined)}}`
    case 'record': {
      const obj = v as Record<string, unknown>
      return `{${Object.keys(obj)
        .map((k) => `${writeKey(k)}:${write(shape.value, obj[k], 'object')}`)
        .join('|')}}`
    }
    case 'array': {
      const arr = v as unknown[]
      if (shape.element.kind === 'object') {
        const el = shape.element
        let above: Record<string, unknown> | undefined
        let out = '['
        for (const row of arr as Record<string, unknown>[]) {
          out += `\n${writeFields(el, row, 'cell', above)}`
          above = row
        }
        return `${out}]`
      }
      const parts: string[] = []
      const above = listAbove(prev)
      let last = above?.[0]
      for (const x of arr) {
        const written = write(shape.element, x, 'array', last)
        parts.push(writeDitto(x as JsonValue, last, written, 'array') ?? written)
        last = x as JsonValue
      }
      return `[${withPrefixDitto(parts, arr as JsonValue[], above).join(',')}]`
    }
    case 'json':
      return writeValue(v as JsonValue, place, prev)
  }
}

/** A string whose type the schema fixes: quoted only when its characters require it. */
function writeText(s: string, place: Place): string {
  return isBareString(s, place, true) ? s : quote(s)
}

// ---------------------------------------------------------------- decoding

export function decodeWith<S extends z.ZodObject>(schema: S, text: string): z.output<S> {
  const shape = objectShape(schema)
  const r = new Reader(text)
  const value = readFields(r, shape, 'object', undefined)
  r.expectEnd()
  return schema.parse(value)
}

function readFields(r: Reader, shape: Shape & { kind: 'object' }, place: Place, above: JsonObject | undefined): JsonObject {
  const obj: JsonObject = {}
  const { fields } = shape
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as Field
    if (!r.atEnd(place)) {
      setOwn(obj, f.key, read(r, f.shape, place, above?.[f.key]))
    } else if (f.flag) {
      setOwn(obj, f.key, false)
    } else if (!f.optional) {
      r.fail(`missing required field "${f.key}"`)
    }
    if (r.peek() === '|') {
      if (i === fields.length - 1) r.fail(`more fields than the schema's ${fields.length}`)
      r.pos++
      continue
    }
    if (!r.atEnd(place)) r.fail(`expected "|" or the end of the object after field "${f.key}" but found ${r.describe()}`)
    for (const rest of fields.slice(i + 1)) {
      if (rest.flag) setOwn(obj, rest.key, false)
      else if (!rest.optional) r.fail(`missing required field "${rest.key}"`)
    }
    break
  }
  return obj
}

function read(r: Reader, shape: Shape, place: Place, prev: JsonValue | undefined): JsonValue {
  if ((place === 'array' || place === 'cell') && prev !== undefined && looksLikeDitto(r.text.slice(r.pos, r.pos + 3))) {
    return readDitto(r, prev, place)
  }
  const at = r.pos
  switch (shape.kind) {
    case 'string':
      return readText(r, place, 'a string')
    case 'number': {
      const t = r.bare(place)
      if (!NUMBER_RE.test(t)) r.fail(`expected a number but found ${t ? JSON.stringify(t) : r.describe()}`, at)
      const n = Number(t)
      if (!Number.isFinite(n)) r.fail(`number ${t} is out of range`, at)
      return n
    }
    case 'boolean': {
      const t = r.bare(place)
      if (t !== 'true' && t !== 'false') r.fail(`expected true or false but found ${t ? JSON.stringify(t) : r.describe()}`, at)
      return t === 'true'
    }
    case 'choice': {
      const code = readText(r, place, 'a code')
      const i = shape.codes.indexOf(code)
      if (i < 0) r.fail(`unknown code ${JSON.stringify(code)} (expected one of ${shape.codes.join(', ')})`, at)
      return shape.values[i] as JsonPrimitive
    }
    case 'nullable':
      if (r.text.startsWith('null', r.pos)) {
        r.pos += 4
        if (r.atEnd(place)) return null
        r.pos = at
      }
      return read(r, shape.inner, place, prev)
    case 'object': {
      r.expect('{', 'an object "{"')
      const obj = readFields(r, shape, 'object', undefined)
      r.expect('}', '"}" closing the object')
      return obj
    }
    case 'record': {
      r.expect('{', 'an object "{"')
      const obj: JsonObject = {}
      if (r.peek() !== '}') {
        for (;;) {
          const kat = r.pos
          const k = r.key()
          if (Object.prototype.hasOwnProperty.call(obj, k)) r.fail(`duplicate key ${JSON.stringify(k)}`, kat)
          r.expect(':', `":" after key ${JSON.stringify(k)}`)
          setOwn(obj, k, read(r, shape.value, 'object', undefined))
          if (r.peek() !== '|') break
          r.pos++
        }
      }
      r.expect('}', '"|" or "}"')
      return obj
    }
    case 'array': {
      r.expect('[', 'an array "["')
      const out: JsonValue[] = []
      if (shape.element.kind === 'object') {
        let above: JsonObject | undefined
        while (r.peek() === '\n') {
          r.pos++
          const row = readFields(r, shape.element, 'cell', above)
          out.push(row)
          above = row
        }
        r.expect(']', 'a newline and a row, or "]"')
        return out
      }
      if (r.peek() === ']') {
        r.pos++
        return out
      }
      const above = listAbove(prev)
      const head = readPrefixDitto(r, above)
      let last = head ? head[head.length - 1] : above?.[0]
      if (head) out.push(...head)
      // after `^N` the reader stands at its "," or "]"
      for (let item = head === null; ; item = true) {
        if (item) {
          last = read(r, shape.element, 'array', last)
          out.push(last)
        }
        if (r.peek() === ',') {
          r.pos++
          continue
        }
        r.expect(']', '"," or "]"')
        return out
      }
    }
    case 'json':
      return readValue(r, place, prev)
  }
}

function readText(r: Reader, place: Place, what: string): string {
  if (r.peek() === '"') {
    const s = r.quoted()
    if (!r.atEnd(place)) r.fail(`expected the end of the value after the quoted string but found ${r.describe()}`)
    return s
  }
  const at = r.pos
  const t = r.bare(place)
  if (t.length === 0) r.fail(`expected ${what} but found ${r.describe()}`, at)
  if (!isBareText(t, place) && looksLikeDitto(t)) r.fail(`a value starting with "${t.slice(0, 3)}" here must be quoted`, at)
  return t
}
