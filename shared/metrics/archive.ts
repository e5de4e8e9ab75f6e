/**
 * Counters that outlive their runs. Run records are deleted after `defaults.run_retention`;
 * before one goes, what it added to every counter (and to a summary's `_sum`/`_count`) is
 * moved into an archive, and /metrics adds the archive back, so counters never go down.
 * Series are kept as their exposition text (`name{labels}`), which is what identifies them.
 */

/** Series → value, from Prometheus text: counters, and the `_sum`/`_count` of summaries. Zeros are left out. */
export function counterSeries(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  let family = ''
  let type = ''
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (t) {
      family = t[1] ?? ''
      type = t[2] ?? ''
      continue
    }
    if (!line || line.startsWith('#')) continue
    const cut = line.lastIndexOf(' ')
    const series = line.slice(0, cut)
    const value = Number(line.slice(cut + 1))
    const name = series.replace(/\{.*$/, '')
    const counted = (type === 'counter' && name === family) || (type === 'summary' && (name === `${family}_sum` || name === `${family}_count`))
    if (counted && Number.isFinite(value) && value !== 0) out[series] = (out[series] ?? 0) + value
  }
  return out
}

/** The family a series belongs to, given the families of the text. */
function familyOf(series: string, types: Map<string, string>): string | undefined {
  const name = series.replace(/\{.*$/, '')
  if (types.get(name) === 'counter') return name
  const base = name.replace(/_(sum|count)$/, '')
  return base !== name && types.get(base) === 'summary' ? base : undefined
}

/**
 * `text` with the archived values added: to the series it has, and as new samples at the end of
 * their family for series only the archive has. Series of families the text does not have are dropped.
 */
export function withArchive(text: string, archive: Record<string, number>): string {
  if (Object.keys(archive).length === 0) return text
  const lines = text.replace(/\n$/, '').split('\n')
  const types = new Map<string, string>()
  for (const line of lines) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (t) types.set(t[1] ?? '', t[2] ?? '')
  }
  const pending = new Map<string, Array<[string, number]>>()
  for (const [series, value] of Object.entries(archive)) {
    const family = familyOf(series, types)
    if (family) pending.set(family, [...(pending.get(family) ?? []), [series, value]])
  }
  const out: string[] = []
  let family = ''
  const flush = () => {
    for (const [series, value] of pending.get(family) ?? []) out.push(`${series} ${value}`)
    pending.delete(family)
  }
  for (const line of lines) {
    if (line.startsWith('# HELP ')) {
      flush()
      family = line.split(' ')[2] ?? ''
      out.push(line)
      continue
    }
    if (line.startsWith('#') || !line) {
      out.push(line)
      continue
    }
    const cut = line.lastIndexOf(' ')
    const series = line.slice(0, cut)
    const mine = pending.get(family)
    const i = mine?.findIndex(([s]) => s === series) ?? -1
    if (mine && i >= 0) {
      const [[, add]] = mine.splice(i, 1) as [[string, number]]
      out.push(`${series} ${Number(line.slice(cut + 1)) + add}`)
    } else out.push(line)
  }
  flush()
  return `${out.join('\n')}\n`
}

/** Where archived counters live. `add` is once per run: a second add for the same run changes nothing and returns false. */
export interface CounterArchive {
  add(runId: string, series: Record<string, number>): Promise<boolean>
  read(): Promise<Record<string, number>>
}

/** For the CLI and tests. */
export class MemoryCounterArchive implements CounterArchive {
  private readonly values: Record<string, number> = {}
  private readonly runs = new Set<string>()
  async add(runId: string, series: Record<string, number>): Promise<boolean> {
    if (this.runs.has(runId)) return false
    this.runs.add(runId)
    for (const [s, v] of Object.entries(series)) this.values[s] = (this.values[s] ?? 0) + v
    return true
  }
  async read(): Promise<Record<string, number>> {
    return { ...this.values }
  }
}
