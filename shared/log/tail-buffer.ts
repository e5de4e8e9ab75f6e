/**
 * Keeps the last `maxBytes` of a stream of text (a stage's log), counting what it dropped, and
 * forwards the same text to an optional listener (live progress). Secrets are replaced by `***`
 * before anything is stored or forwarded, also when a secret arrives split across two chunks:
 * the tail of each chunk that could start a secret is held back until the next chunk (or the end).
 */
export class TailBuffer {
  private chunks: string[] = []
  private size = 0
  private dropped = 0
  private pending = ''
  private readonly secrets: string[]
  private readonly holdBack: number

  constructor(
    private readonly maxBytes: number,
    secrets: readonly string[] = [],
    private readonly listener?: (chunk: string) => void,
  ) {
    this.secrets = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length)
    this.holdBack = this.secrets.reduce((m, s) => Math.max(m, s.length - 1), 0)
  }

  push(text: string): void {
    if (!text) return
    const combined = this.pending + text
    let cut = Math.max(0, combined.length - this.holdBack)
    // never cut through a secret: move the cut to the start of any match that straddles it
    for (const s of this.secrets) {
      for (let i = combined.indexOf(s); i >= 0; i = combined.indexOf(s, i + 1)) if (i < cut && i + s.length > cut) cut = i
    }
    this.pending = combined.slice(cut)
    this.emit(redact(combined.slice(0, cut), this.secrets))
  }

  /** Emits what was held back; called by `text()`, or by a writer at the end of its stream. */
  flush(): void {
    const rest = this.pending
    this.pending = ''
    this.emit(redact(rest, this.secrets))
  }

  private emit(clean: string): void {
    if (!clean) return
    this.chunks.push(clean)
    this.size += Buffer.byteLength(clean)
    while (this.size > this.maxBytes && this.chunks.length > 1) {
      const first = this.chunks.shift() as string
      const n = Buffer.byteLength(first)
      this.size -= n
      this.dropped += n
    }
    if (this.size > this.maxBytes && this.chunks.length === 1) {
      const only = Buffer.from(this.chunks[0] as string)
      const keep = only.subarray(only.length - this.maxBytes).toString()
      this.dropped += only.length - Buffer.byteLength(keep)
      this.chunks = [keep]
      this.size = Buffer.byteLength(keep)
    }
    if (this.listener) {
      try {
        this.listener(clean)
      } catch {
        /* a listener's failure must not break the run */
      }
    }
  }

  /** Bytes dropped from the head so far. */
  get droppedBytes(): number {
    return this.dropped
  }

  get truncated(): boolean {
    return this.dropped > 0
  }

  text(): string {
    this.flush()
    const body = this.chunks.join('')
    return this.dropped > 0 ? `[… ${this.dropped} earlier bytes dropped …]\n${body}` : body
  }
}

/** Replaces every occurrence of each secret (4+ chars) with `***`, longest first. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length >= 4) out = out.split(s).join('***')
  return out
}
