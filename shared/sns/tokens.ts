/**
 * Token counts of one value in four notations, with the o200k_base encoding (GPT-4o, GPT-4.1,
 * GPT-5 and the o-series). Special-token text such as `<|endoftext|>` is counted as plain text.
 */
import { encode as toToon } from '@toon-format/toon'
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'
import type { z } from 'zod'
import { encode } from './encode'
import type { JsonValue } from './json'
import { encodeWith } from './schema'

export interface TokenCounts {
  prettyJson: number
  minifiedJson: number
  toon: number
  sns: number
}

const PLAIN = { disallowedSpecial: new Set<string>() }

export function countText(text: string): number {
  return countTokens(text, PLAIN)
}

/** The four texts of `value` (sns in schema-aware mode when a schema is given). */
export function renderings(value: JsonValue, schema?: z.ZodObject): Record<keyof TokenCounts, string> {
  return {
    prettyJson: JSON.stringify(value, null, 2),
    minifiedJson: JSON.stringify(value),
    toon: toToon(value),
    sns: schema ? encodeWith(schema, value as z.input<typeof schema>) : encode(value),
  }
}

export function tokenCounts(value: JsonValue, schema?: z.ZodObject): TokenCounts {
  const r = renderings(value, schema)
  return { prettyJson: countText(r.prettyJson), minifiedJson: countText(r.minifiedJson), toon: countText(r.toon), sns: countText(r.sns) }
}
