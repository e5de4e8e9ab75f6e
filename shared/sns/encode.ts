/**
 * The generic encoder: any JSON value → notation text. See README.md for the grammar.
 */
import { writeDitto } from './ditto'
import { isJsonObject, type JsonObject, type JsonValue } from './json'
import { formatNumber, isBareString, quote, writeKey, writeString, type Place } from './lexical'
import { listAbove, withPrefixDitto } from './prefix'

export function encode(value: JsonValue): string {
  if (isJsonObject(value) && Object.keys(value).length > 0) return writeMembers(value)
  if (typeof value === 'string') return isBareString(value, 'root') ? value : quote(value)
  return writeValue(value, 'root')
}

/** `key:value|key:value`, the inside of an object. */
function writeMembers(obj: JsonObject): string {
  const parts: string[] = []
  for (const k of Object.keys(obj)) parts.push(`${writeKey(k)}:${writeValue(obj[k] as JsonValue, 'object')}`)
  return parts.join('|')
}

/**
 * `prev` is the value a ditto in this place would refer to (the previous element or the cell
 * above); when it is an array, an array written here refers to it (its first element to the
 * first, and `^N` to its first N).
 */
export function writeValue(v: JsonValue, place: Place, prev?: JsonValue): string {
  if (v === null) return 'null'
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false'
    case 'number':
      return formatNumber(v)
    case 'string':
      return writeString(v, place)
    case 'object':
      if (Array.isArray(v)) return writeArray(v, listAbove(prev))
      if (isJsonObject(v)) return `{${writeMembers(v)}}`
  }
  throw new TypeError(`sns: cannot encode ${typeof v === 'object' ? 'a non-plain object' : typeof v}; only JSON values`)
}

function writeArray(arr: JsonValue[], above: JsonValue[] | undefined): string {
  const header = tableHeader(arr)
  if (header) return writeTable(arr as JsonObject[], header)
  const parts: string[] = []
  let prev = above?.[0]
  for (const v of arr) {
    const written = writeValue(v, 'array', prev)
    parts.push(writeDitto(v, prev, written, 'array') ?? written)
    prev = v
  }
  return `[${withPrefixDitto(parts, arr, above).join(',')}]`
}

/**
 * The columns of a table for `arr`, or null when a table would not pay: at least two objects,
 * each one's keys in the same relative order (missing keys allowed), and fewer characters than
 * writing every key in every object.
 */
export function tableHeader(arr: JsonValue[]): string[] | null {
  if (arr.length < 2) return null
  const header: string[] = []
  const index = new Map<string, number>()
  let present = 0
  for (const row of arr) {
    if (!isJsonObject(row)) return null
    const keys = Object.keys(row)
    if (keys.length === 0) return null
    let last = -1
    for (const k of keys) {
      const at = index.get(k)
      if (at === undefined) {
        header.splice(last + 1, 0, k)
        last++
        index.clear()
        header.forEach((h, i) => index.set(h, i))
      } else if (at <= last) {
        return null
      } else {
        last = at
      }
    }
    present += keys.length
  }
  // Keys saved per present cell versus one separator per cell and the header once.
  const keyChars = new Map(header.map((k) => [k, writeKey(k).length + 1]))
  let saved = 0
  for (const row of arr as JsonObject[]) for (const k of Object.keys(row)) saved += keyChars.get(k) ?? 0
  const cost = [...keyChars.values()].reduce((a, b) => a + b, 2) + (arr.length * header.length - present)
  return cost < saved ? header : null
}

function writeTable(rows: JsonObject[], header: string[]): string {
  const lines: string[] = [`[{${header.map(writeKey).join('|')}}`]
  let above: JsonObject | undefined
  for (const row of rows) {
    const cells: string[] = []
    for (const k of header) {
      if (!Object.prototype.hasOwnProperty.call(row, k)) {
        cells.push('')
        continue
      }
      const v = row[k] as JsonValue
      const prev = above && Object.prototype.hasOwnProperty.call(above, k) ? above[k] : undefined
      const written = writeValue(v, 'cell', prev)
      cells.push(writeDitto(v, prev, written, 'cell') ?? written)
    }
    while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop()
    lines.push(cells.join('|'))
    above = row
  }
  return `${lines.join('\n')}]`
}
