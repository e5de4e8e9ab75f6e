/**
 * Which marks of the notation a text uses beyond `key:value`, lists and objects — tables and the
 * dittos — so that a reader (a model's prompt) is told about those and nothing else.
 */
import { readDocument } from './decode'
import { Reader, type NotationMark } from './reader'

export type { NotationMark } from './reader'

/** The marks `text` uses (it is decoded to find them; malformed text throws `SnsSyntaxError`). */
export function marksOf(text: string): Set<NotationMark> {
  const r = new Reader(text)
  readDocument(r)
  return new Set(r.marks)
}
