import { ENDS, type Place } from './lexical'

/** A decoding error that names where in the text it happened. */
export class SnsSyntaxError extends Error {
  readonly position: number
  readonly line: number
  readonly column: number
  constructor(message: string, text: string, position: number) {
    const before = text.slice(0, position)
    const line = before.split('\n').length
    const column = position - before.lastIndexOf('\n')
    super(`sns: ${message} at position ${position} (line ${line}, column ${column})`)
    this.name = 'SnsSyntaxError'
    this.position = position
    this.line = line
    this.column = column
  }
}

/**
 * The marks of the notation a reader met beyond `key:value`, lists and objects (see marks.ts);
 * `above`: the first item of a list was a ditto of the first item of the list above.
 */
export type NotationMark = 'table' | 'repeat' | 'prefix' | 'path' | 'tail' | 'above'

/** A cursor over the text with the low-level reads both decoders share. */
export class Reader {
  pos = 0
  /** Tables and dittos read so far. */
  readonly marks = new Set<NotationMark>()
  constructor(readonly text: string) {}

  fail(message: string, at = this.pos): never {
    throw new SnsSyntaxError(message, this.text, at)
  }

  get done(): boolean {
    return this.pos >= this.text.length
  }

  peek(): string | undefined {
    return this.text[this.pos]
  }

  describe(ch = this.peek()): string {
    return ch === undefined ? 'end of input' : ch === '\n' ? 'a newline' : JSON.stringify(ch)
  }

  expect(ch: string, what?: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected ${what ?? JSON.stringify(ch)} but found ${this.describe()}`)
    this.pos++
  }

  expectEnd(): void {
    if (!this.done) this.fail(`expected end of input but found ${this.describe()}`)
  }

  /** True when the next character ends a value in `place` (or the text ends). */
  atEnd(place: Place): boolean {
    const ch = this.peek()
    return ch === undefined || ch === '\n' || ENDS[place].includes(ch)
  }

  /** The run of characters up to the next ender of `place`; control characters are an error. */
  bare(place: Place): string {
    const start = this.pos
    const ends = ENDS[place]
    const t = this.text
    let i = start
    for (; i < t.length; i++) {
      const ch = t[i] as string
      if (ends.includes(ch) || ch === '\n') break
      const code = ch.charCodeAt(0)
      if (code < 0x20 || code === 0x7f) this.fail(`control character U+${code.toString(16).padStart(4, '0')} must be escaped inside quotes`, i)
    }
    this.pos = i
    return t.slice(start, i)
  }

  /** A JSON-style quoted string starting at the current `"`. */
  quoted(): string {
    const start = this.pos
    const t = this.text
    let i = start + 1
    for (; i < t.length; i++) {
      const ch = t[i]
      if (ch === '\\') i++
      else if (ch === '"') break
    }
    if (i >= t.length) this.fail('unterminated quoted string', start)
    this.pos = i + 1
    try {
      return JSON.parse(t.slice(start, i + 1)) as string
    } catch (err) {
      return this.fail(`invalid quoted string (${err instanceof Error ? err.message : String(err)})`, start)
    }
  }

  /** A key: quoted, or bare up to the next structural character. */
  key(): string {
    if (this.peek() === '"') return this.quoted()
    const at = this.pos
    const k = this.bare('key')
    if (k.length === 0) this.fail(`expected a key but found ${this.describe()}`, at)
    return k
  }
}
