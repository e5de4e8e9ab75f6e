/**
 * How many of an image build's steps the engine's layer cache answered, read from the classic
 * builder's output (`Step 3/7 : RUN …` then ` ---> Using cache` for a cached step). FROM steps
 * pick a base image and are not cacheable, so they do not count, nor do the global ARG steps
 * before the first FROM; nor does the LABEL step the
 * engine appends for the build's `labels` (ours, not the Dockerfile's).
 */
import type { LayerCacheStats } from '../types'

const STEP = /^Step (\d+)\/(\d+) : (\S+)/
const USING_CACHE = /^\s*---> Using cache\s*$/

export class LayerCacheCounter {
  private steps = 0
  private cached = 0
  private inCacheable = false
  private seenFrom = false
  private counted = false
  private last: { instruction: string; last: boolean } | undefined

  /** `appendedLabels`: the build passes labels, so the engine adds a last `LABEL` step. */
  constructor(private readonly appendedLabels = false) {}

  /** One whole line of the build's output. */
  line(text: string): void {
    const step = STEP.exec(text.trim())
    if (step) {
      const instruction = (step[3] ?? '').toUpperCase()
      if (instruction === 'FROM') this.seenFrom = true
      this.inCacheable = this.seenFrom && instruction !== 'FROM'
      this.counted = false
      this.last = { instruction, last: step[1] === step[2] }
      if (this.inCacheable) this.steps++
      return
    }
    if (this.inCacheable && !this.counted && USING_CACHE.test(text)) {
      this.cached++
      this.counted = true
    }
  }

  stats(): LayerCacheStats {
    if (this.appendedLabels && this.last?.last && this.last.instruction === 'LABEL') return { steps: this.steps - 1, cached: this.cached - (this.counted ? 1 : 0) }
    return { steps: this.steps, cached: this.cached }
  }
}
