import type { JsonObject, JsonValue } from '../../shared/sns/json'

/**
 * A baseline reason as the model reads it: the rule that applied, as a code, with the numbers the
 * sentence was made of. A rule without numbers is its code alone (`cache-off`); one with numbers
 * is `{code: value}` (`{size:{files:3,lines:40,risk:'low'}}` for "3 file(s), 40 line(s) changed:
 * low risk from size", `{testsPassed:39}`). Codes have no spaces: a reason kept as a sentence has.
 */
export type ReasonCode = string | JsonObject

/** How one kind of reason sentence reads as data. Patterns are anchored (`^…$`). */
export interface ReasonRule {
  re: RegExp
  /**
   * The reason as a code; null when it only restates what the prompt already shows; the
   * sentence itself (`m[0]`) when it cannot be read after all.
   */
  code(m: RegExpExecArray): ReasonCode | null
}

/**
 * The reasons of a baseline as the model reads them: each sentence a rule recognises becomes its
 * code (or is left out when it only restates the prompt); any other sentence is kept as it is,
 * so nothing a sentence says is lost when the wording of a baseline changes.
 */
export function codedReasons(reasons: readonly string[], rules: readonly ReasonRule[]): ReasonCode[] {
  const out: ReasonCode[] = []
  for (const reason of reasons) {
    const rule = rules.find((r) => r.re.test(reason))
    const m = rule?.re.exec(reason)
    if (!rule || !m) {
      out.push(reason)
      continue
    }
    const code = rule.code(m)
    if (code !== null) out.push(code)
  }
  return out
}

/** `{[code]: value}` (a code with its numbers). */
export function coded(code: string, value: JsonValue): JsonObject {
  return { [code]: value }
}

/** A number written in a reason (`5.0` → 5, `+0.50` → .5). */
export const num = (s: string | undefined): number => Number(s)

/** `rust 5.0, frontend 0.0` → `{rust:5,frontend:0}`; null when the text is not such a list. */
export function scoresOf(text: string): Record<string, number> | null {
  const out: Record<string, number> = {}
  for (const part of text.split(', ')) {
    const m = /^([a-z]+) \+?(-?\d+(?:\.\d+)?)$/.exec(part)
    if (!m?.[1] || m[1] === '__proto__') return null
    out[m[1]] = num(m[2])
  }
  return out
}
