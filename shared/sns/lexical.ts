/**
 * The lexical rules shared by the encoder and the decoder: which strings may be written bare in
 * which position, how numbers are written, and how the rest is quoted. Both sides read the same
 * tables, so what the encoder writes bare the decoder reads back unchanged.
 */

/** Where a value stands; each place has its own characters that end a bare value. */
export type Place = 'object' | 'array' | 'cell' | 'key' | 'root'

/**
 * Characters that end a bare value in each place (newline ends every bare value and never
 * appears in one). `key` is also the rule for a bare value that is the whole document.
 */
export const ENDS: Record<Place, string> = {
  object: '|}',
  array: ',]',
  cell: '|]\n',
  key: ':|{}[],"',
  root: ':|{}[],"',
}

/** A number as written (shortest round-trip form, `0.5` as `.5`, no `+` in exponents). */
export const NUMBER_RE = /^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/

export const LITERALS: ReadonlyMap<string, boolean | null> = new Map<string, boolean | null>([
  ['true', true],
  ['false', false],
  ['null', null],
])

/** Characters that start something else and so may not start a bare string. */
const NOT_FIRST = '"{[^'

const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f\\]/
const EDGE_SPACE = /^\s|\s$/

/** In an array or a table these starts are dittos (see ditto.ts), so such strings are quoted there. */
export function startsLikeDitto(s: string): boolean {
  return s.startsWith('^') || s.startsWith('…') || s.startsWith('./') || s.startsWith('../')
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`sns: ${n} is not a JSON number`)
  if (n === 0) return '0'
  let s = String(n).replace('e+', 'e')
  if (s.startsWith('0.')) s = s.slice(1)
  else if (s.startsWith('-0.')) s = '-' + s.slice(2)
  return s
}

/** True when `s` may be written without quotes where `place` says (as a string, not a key). */
export function isBareString(s: string, place: Place, typed = false): boolean {
  if (!isBareText(s, place)) return false
  // Without a schema, text that reads as a number or literal must be quoted to stay a string.
  if (!typed && (NUMBER_RE.test(s) || LITERALS.has(s))) return false
  return true
}

/** The characters alone: non-empty, no edge spaces, control characters, backslashes or enders. */
export function isBareText(s: string, place: Place): boolean {
  if (s.length === 0 || CONTROL_OR_BACKSLASH.test(s) || EDGE_SPACE.test(s)) return false
  if (NOT_FIRST.includes(s[0] as string)) return false
  if ((place === 'array' || place === 'cell') && startsLikeDitto(s)) return false
  const ends = ENDS[place]
  for (const ch of s) if (ends.includes(ch)) return false
  return true
}

/** What follows a relative-path ditto (`./rest`): no ender, control character or backslash. */
export function isBareTail(s: string, place: Place): boolean {
  if (s.length === 0 || CONTROL_OR_BACKSLASH.test(s) || /\s$/.test(s)) return false
  const ends = ENDS[place]
  for (const ch of s) if (ends.includes(ch)) return false
  return true
}

export function quote(s: string): string {
  return JSON.stringify(s)
}

export function writeString(s: string, place: Place, typed = false): string {
  return isBareString(s, place, typed) ? s : quote(s)
}

export function writeKey(k: string): string {
  return isBareText(k, 'key') ? k : quote(k)
}
