/**
 * The list-prefix ditto: a list whose first N items (N ≥ 2) are those of the list before or
 * above it starts with `^N`. Rows of a table often repeat the reasons of the row above and add
 * one of their own: `[^7,… and 3 more]` is the first seven items of the list above, then one more.
 * The items after `^N` refer to the Nth item as their previous one (dittos go on from there).
 */
import { cloneJson, jsonEqual, type JsonValue } from './json'
import type { Reader } from './reader'

/** The list a list written here refers to: the value before or above, when it is a list. */
export function listAbove(prev: unknown): JsonValue[] | undefined {
  return Array.isArray(prev) ? (prev as JsonValue[]) : undefined
}

/** How many leading items `list` has in common with `above`. */
export function sharedPrefix(list: readonly JsonValue[], above: readonly JsonValue[] | undefined): number {
  if (!above) return 0
  let n = 0
  while (n < list.length && n < above.length && jsonEqual(list[n] as JsonValue, above[n] as JsonValue)) n++
  return n
}

/**
 * `parts`: the items of `list` as written one by one. Replaces the first ones by `^N` when
 * `list` starts with N ≥ 2 items of `above` and the mark is shorter than writing them.
 */
export function withPrefixDitto(parts: string[], list: readonly JsonValue[], above: readonly JsonValue[] | undefined): string[] {
  const n = sharedPrefix(list, above)
  if (n < 2) return parts
  const mark = `^${n}`
  return mark.length < parts.slice(0, n).join(',').length ? [mark, ...parts.slice(n)] : parts
}

/** At the start of a list's items: `^N` and the items it stands for, or null when the list does not start so. */
export function readPrefixDitto(r: Reader, above: readonly JsonValue[] | undefined): JsonValue[] | null {
  const m = /^\^(\d+)/.exec(r.text.slice(r.pos, r.pos + 12))
  if (!m) return null
  const at = r.pos
  const digits = m[1] as string
  const n = Number(digits)
  if (n < 1 || digits.startsWith('0')) r.fail(`list ditto "^${digits}" needs a count of 1 or more without leading zeros`, at)
  if (!above) r.fail(`list ditto "^${digits}" with no list above or before it`, at)
  if (n > above.length) r.fail(`list ditto "^${digits}" but the list above or before it has ${above.length} item(s)`, at)
  r.pos += m[0].length
  r.marks.add('prefix')
  const ch = r.peek()
  if (ch !== ',' && ch !== ']') r.fail(`expected "," or "]" after list ditto "^${digits}" but found ${r.describe()}`)
  return above.slice(0, n).map(cloneJson)
}
