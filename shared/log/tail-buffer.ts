/**
 * Keeps the last `maxBytes` of a stream of text (a stage's log), counting what it dropped.
 * Secrets registered with `redact` are replaced before anything is stored.
 */
export class TailBuffer {
  private chunks: string[] = []
  private size = 0
  private dropped = 0
  private readonly secrets: string[]

  constructor(
    private readonly maxBytes: number,
    secrets: readonly string[] = [],
  ) {
    this.secrets = secrets.filter((s) => s.length >= 4)
  }

  push(text: string): void {
    const clean = redact(text, this.secrets)
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
  }

  /** Bytes dropped from the head so far. */
  get droppedBytes(): number {
    return this.dropped
  }

  get truncated(): boolean {
    return this.dropped > 0
  }

  text(): string {
    const body = this.chunks.join('')
    return this.dropped > 0 ? `[… ${this.dropped} earlier bytes dropped …]\n${body}` : body
  }
}

/** Replaces every occurrence of each secret (4+ chars) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***')
  return out
}
