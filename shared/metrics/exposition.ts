/** Prometheus text exposition format 0.0.4: metric families with HELP, TYPE and samples. */
export type Labels = Record<string, string>

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')

/** `{a="1",b="2"}`, escaped; empty for no labels. */
export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

export class Exposition {
  private lines: string[] = []
  metric(name: string, type: 'counter' | 'gauge' | 'summary', help: string, samples: Array<[Labels, number]>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) this.lines.push(`${name}${formatLabels(labels)} ${Number.isFinite(value) ? value : 'NaN'}`)
  }
  raw(line: string): void {
    this.lines.push(line)
  }
  text(): string {
    return `${this.lines.join('\n')}\n`
  }
}
