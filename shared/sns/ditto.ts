/**
 * Ditto marks, for a value in an array or a table column that repeats much of the one before it
 * (the previous element, or the cell above):
 *
 *  - `^` alone: the previous value again.
 *  - `./rest`: a path in the previous path's directory; `../rest` one directory up,
 *    `../../rest` two, and so on, as relative paths read.
 *  - `…rest`: the previous value with its last characters replaced by `rest`, same length
 *    (timestamps and versions: `2026-11-23T19:20:00Z` then `…21:00Z`).
 *
 * The first element of an array refers to the first element of the array before or above it
 * (import chains in a table column start alike), and `^N` to its first N (see prefix.ts).
 * Path and tail dittos apply only to strings without whitespace (identifiers, paths, times),
 * never to prose.
 */
import { cloneJson, jsonEqual, type JsonValue } from './json'
import { isBareTail, LITERALS, startsLikeDitto, type Place } from './lexical'
import type { Reader } from './reader'

const MAX_CLIMB = 4
const SPACE = /\s/
const WORD = /[\p{L}\p{N}]/u

export const looksLikeDitto = startsLikeDitto

function dirOf(s: string, n: number): string | null {
  let base = s
  for (let i = 0; i < n; i++) {
    const cut = base.lastIndexOf('/')
    if (cut < 0) return null
    base = base.slice(0, cut)
  }
  return base
}

/** The ditto form of `v` after `prev`, when it is shorter than `written` (its normal form). */
export function writeDitto(v: JsonValue, prev: JsonValue | undefined, written: string, place: Place): string | null {
  if (prev === undefined) return null
  if (written.length > 3 && !LITERALS.has(written) && jsonEqual(v, prev)) return '^'
  if (typeof v !== 'string' || typeof prev !== 'string' || v === prev || SPACE.test(v) || SPACE.test(prev)) return null
  return pathDitto(v, prev, written, place) ?? tailDitto(v, prev, written, place)
}

function pathDitto(v: string, prev: string, written: string, place: Place): string | null {
  for (let n = 1; n <= MAX_CLIMB; n++) {
    const base = dirOf(prev, n)
    if (base === null) return null
    if (base.length > 0 && v.length > base.length + 1 && v.startsWith(base) && v[base.length] === '/') {
      const tail = v.slice(base.length + 1)
      // The decoder counts every leading "../", so a tail may not start with one of its own.
      if (!isBareTail(tail, place) || (n > 1 && tail.startsWith('../'))) return null
      const form = (n === 1 ? './' : '../'.repeat(n - 1)) + tail
      return form.length + 2 <= written.length ? form : null
    }
  }
  return null
}

function tailDitto(v: string, prev: string, written: string, place: Place): string | null {
  if (v.length !== prev.length) return null
  let p = 0
  while (p < v.length && v[p] === prev[p]) p++
  // Start the tail at the beginning of the word or number that changed (`…21:00Z`, not `…1:00Z`).
  while (p > 0 && WORD.test(v[p - 1] as string) && WORD.test(v[p] as string)) p--
  const form = `…${v.slice(p)}`
  return isBareTail(form, place) && form.length + 3 <= written.length ? form : null
}

/** At a ditto (the reader is at `^`, `…`, `./` or `../`): the value it stands for. */
export function readDitto(r: Reader, prev: JsonValue | undefined, place: Place): JsonValue {
  const at = r.pos
  const first = r.peek()
  if (first === '^') {
    r.marks.add('repeat')
    r.pos++
    if (!r.atEnd(place)) r.fail(`expected the end of the value after ditto "^" but found ${r.describe()}`)
    if (prev === undefined) r.fail('ditto "^" with no value above or before it to repeat', at)
    return cloneJson(prev)
  }
  if (first === '…') {
    r.marks.add('tail')
    r.pos++
    const tail = r.bare(place)
    if (typeof prev !== 'string') r.fail('ditto "…" needs a string above or before it', at)
    if (tail.length === 0 || tail.length > prev.length) r.fail(`ditto "…" needs 1 to ${prev.length} characters to replace the end of ${JSON.stringify(prev)}`, at)
    return prev.slice(0, prev.length - tail.length) + tail
  }
  r.marks.add('path')
  let n = 1
  if (r.text.startsWith('./', r.pos)) r.pos += 2
  else {
    n = 0
    while (r.text.startsWith('../', r.pos)) {
      r.pos += 3
      n++
    }
    n++
  }
  const mark = r.text.slice(at, r.pos)
  if (typeof prev !== 'string') r.fail(`relative path "${mark}…" needs a string path above or before it`, at)
  const base = dirOf(prev, n)
  if (base === null) r.fail(`relative path "${mark}…" climbs above the start of ${JSON.stringify(prev)}`, at)
  return `${base}/${r.bare(place)}`
}
