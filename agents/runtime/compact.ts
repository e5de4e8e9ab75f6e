import { encode } from '../../shared/sns/encode'
import type { JsonValue } from '../../shared/sns/json'

/** Tells the model how to read the facts (the notation is made to be read without it, too). */
export const SNS_LEGEND =
  'FACTS and BASELINE are in sns notation: key:value pairs joined by |, {…} nested objects, [a,b] lists, tables [{key1|key2}\nrow|row] with one row per object (an empty cell means the key is absent), "…" are JSON strings. In lists and tables: ^ repeats the previous value, ./x and ../x are paths relative to the previous path, …x replaces the end of the previous value (same length); a list\'s first item refers to the first item of the list above.'

/** The facts as the model reads them: sns-core, which costs fewer tokens than JSON. */
export function compact(value: unknown): string {
  return encode(JSON.parse(JSON.stringify(value ?? null)) as JsonValue)
}
