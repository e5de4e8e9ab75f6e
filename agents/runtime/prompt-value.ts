import { setOwn, type JsonObject, type JsonValue } from '../../shared/sns/json'

/** Significant digits a fraction keeps in a prompt (a success rate of .9991554054 is .9992). */
export const PROMPT_DIGITS = 4

/**
 * A number as a prompt shows it: integers exactly; other numbers with PROMPT_DIGITS significant
 * digits (never fewer than their integer part has), and never rounded to a whole number, so
 * that .99996 stays below 1 and 2.00001 above 2.
 */
export function readableNumber(x: number): number {
  if (Number.isInteger(x) || !Number.isFinite(x)) return x
  const whole = Math.abs(Math.trunc(x))
  for (let p = Math.max(PROMPT_DIGITS, whole === 0 ? 0 : String(whole).length); p <= 17; p++) {
    const r = Number(x.toPrecision(p))
    if (!Number.isInteger(r)) return r
  }
  return x
}

/**
 * A value as the prompt carries it: what JSON keeps of it (undefined members dropped, dates as
 * strings) with every number made readable. Every notation of a prompt writes this value.
 */
export function promptValue(value: unknown): JsonValue {
  return readable(JSON.parse(JSON.stringify(value ?? null)) as JsonValue)
}

function readable(v: JsonValue): JsonValue {
  if (typeof v === 'number') return readableNumber(v)
  if (Array.isArray(v)) return v.map(readable)
  if (v !== null && typeof v === 'object') {
    const out: JsonObject = {}
    for (const [k, x] of Object.entries(v)) setOwn(out, k, readable(x))
    return out
  }
  return v
}
