/**
 * JSON text → value, with errors that always name the position (V8's own messages do not for
 * every mistake, e.g. `{"a":tru}`).
 */
import type { JsonValue } from './json'

export class JsonTextError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`invalid JSON at position ${position} (line ${line}, column ${column}): ${reason}`)
    this.name = 'JsonTextError'
  }
}

export function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue
  } catch (err) {
    const found = locateJsonError(text)
    const { position, reason } = found ?? { position: 0, reason: err instanceof Error ? err.message : String(err) }
    const before = text.slice(0, position)
    throw new JsonTextError(reason, position, before.split('\n').length, position - before.lastIndexOf('\n'))
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/** The first syntax error in `text` (RFC 8259), or null when it is valid JSON. */
export function locateJsonError(text: string): { position: number; reason: string } | null {
  let i = 0
  const fail = (reason: string, at = i): never => {
    throw Object.assign(new Error(reason), { at })
  }
  const what = () => (i >= text.length ? 'end of input' : JSON.stringify(text[i]))
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++
  }
  const word = (w: string) => {
    if (!text.startsWith(w, i)) fail(`unexpected ${what()} (expected ${w})`)
    i += w.length
  }
  const number = () => {
    NUMBER.lastIndex = i
    const m = NUMBER.exec(text)
    if (!m) fail(`unexpected ${what()} in a number`)
    i += (m as RegExpExecArray)[0].length
  }
  const string = () => {
    const start = i
    i++
    for (;;) {
      if (i >= text.length) fail('unterminated string', start)
      const ch = text[i] as string
      if (ch === '"') {
        i++
        return
      }
      if (ch < ' ') fail('control character in a string (escape it)')
      if (ch === '\\') {
        const e = text[i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape')
          i += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2
        else fail('invalid escape')
      } else i++
    }
  }
  const value = (): void => {
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail(`expected a double-quoted property name but found ${what()}`)
        string()
        ws()
        if (text[i] !== ':') fail(`expected ":" after a property name but found ${what()}`)
        i++
        value()
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return
        }
        fail(`expected "," or "}" in an object but found ${what()}`)
      }
    }
    if (ch === '[') {
      i++
      ws()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value()
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return
        }
        fail(`expected "," or "]" in an array but found ${what()}`)
      }
    }
    if (ch === '"') return string()
    if (ch === 't') return word('true')
    if (ch === 'f') return word('false')
    if (ch === 'n') return word('null')
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number()
    fail(ch === undefined ? 'unexpected end of input (expected a value)' : `unexpected ${what()} (expected a value)`)
  }
  try {
    value()
    ws()
    if (i < text.length) fail(`unexpected ${what()} after the JSON value`)
    return null
  } catch (err) {
    const at = (err as { at?: unknown }).at
    return { position: typeof at === 'number' ? at : i, reason: err instanceof Error ? err.message : String(err) }
  }
}
