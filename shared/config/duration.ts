import { z } from 'zod'

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Parses `90`, `90s`, `10m`, `1h`, `500ms` into milliseconds (bare numbers are seconds). */
export function parseDurationMs(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value * 1000 : null
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value)
  if (!m) return null
  const n = Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000)
  return n > 0 ? n : null
}

/** A positive duration written as seconds (number) or a string like `10m`; parsed to ms. */
export const durationSchema = z
  .union([z.number().positive(), z.string().regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h)?\s*$/, 'a duration like 90, "90s", "10m" or "1h"')])
  .transform((v, ctx) => {
    const ms = parseDurationMs(v)
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: 'a positive duration like 90, "90s", "10m" or "1h"' })
      return z.NEVER
    }
    return ms
  })
