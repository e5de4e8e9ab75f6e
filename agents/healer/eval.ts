/**
 * Evaluation of the classifier on a labelled corpus laid out like `test/fixtures/ci-failures`:
 * `<dir>/manifest.json` lists entries whose `file` is relative to `<dir>`.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { classifyFailure } from './classify'
import { healerCategory, type HealerCategory, type HealerDecision } from './schema'

export const manifestEntrySchema = z.object({
  id: z.string(),
  file: z.string(),
  category: healerCategory,
  agent: z.string().optional(),
  workflow_name: z.string().optional(),
  job_name: z.string().optional(),
  failed_step: z.string().optional(),
  changed_files: z.array(z.string()).optional(),
  source: z.string().optional(),
  license: z.string().optional(),
})
export type ManifestEntry = z.output<typeof manifestEntrySchema>

export const CATEGORIES: readonly HealerCategory[] = healerCategory.options

export interface CategoryStats {
  n: number
  correct: number
  accuracy: number
}

export interface EvalMiss {
  id: string
  expected: HealerCategory
  got: HealerCategory
  evidence: string[]
}

export interface EvalResult {
  n: number
  accuracy: number
  perCategory: Record<HealerCategory, CategoryStats>
  /** confusion[actual][predicted] = count */
  confusion: Record<HealerCategory, Record<HealerCategory, number>>
  misses: EvalMiss[]
  /** Every decision, in manifest order (for calibration and reports). */
  decisions: Array<{ id: string; expected: HealerCategory; decision: HealerDecision }>
}

function zeroRow(): Record<HealerCategory, number> {
  return { rust: 0, frontend: 0, infra: 0, github: 0, unknown: 0 }
}

export async function loadManifest(dir: string): Promise<ManifestEntry[]> {
  const file = path.join(dir, 'manifest.json')
  let raw: string
  try {
    raw = await readFile(file, 'utf8')
  } catch {
    throw new Error(`no manifest at ${file}`)
  }
  const parsed = z.array(manifestEntrySchema).safeParse(JSON.parse(raw))
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues[0]?.message ?? 'invalid manifest'}`)
  return parsed.data
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : Math.round((a / b) * 10000) / 10000
}

export async function evaluate(dir: string): Promise<EvalResult> {
  const entries = await loadManifest(dir)
  const perCategory = {} as Record<HealerCategory, CategoryStats>
  const confusion = {} as Record<HealerCategory, Record<HealerCategory, number>>
  for (const c of CATEGORIES) {
    perCategory[c] = { n: 0, correct: 0, accuracy: 0 }
    confusion[c] = zeroRow()
  }
  const misses: EvalMiss[] = []
  const decisions: EvalResult['decisions'] = []
  let correct = 0
  for (const e of entries) {
    const log = await readFile(path.resolve(dir, e.file), 'utf8')
    const decision = classifyFailure({
      log,
      workflow: e.workflow_name,
      job: e.job_name,
      step: e.failed_step,
      changedFiles: e.changed_files,
    })
    decisions.push({ id: e.id, expected: e.category, decision })
    const stats = perCategory[e.category]
    stats.n++
    confusion[e.category][decision.category]++
    if (decision.category === e.category) {
      stats.correct++
      correct++
    } else {
      misses.push({ id: e.id, expected: e.category, got: decision.category, evidence: decision.evidence })
    }
  }
  for (const c of CATEGORIES) perCategory[c].accuracy = ratio(perCategory[c].correct, perCategory[c].n)
  return { n: entries.length, accuracy: ratio(correct, entries.length), perCategory, confusion, misses, decisions }
}
