/** A slot for one model call; `release` frees it (idempotent, never throws). */
export interface SlotLease {
  release(): Promise<void>
}

/**
 * Where a model call waits for its turn: `defaults.llm.concurrency` calls in flight at once, in
 * this process (`LocalSlots`) or across every process and instance that shares a Redis
 * (`RedisSemaphore` in shared/redis/semaphore.ts, behind `FallbackSlots`).
 */
export interface Slots {
  /** Where the limit holds, for messages: `process` or `redis`. */
  readonly scope: string
  readonly limit: number
  /** Waits at most `budgetMs` for a slot; null when none came free in time. */
  acquire(budgetMs: number): Promise<SlotLease | null>
}

/** At most `limit` slots in this process; waiters are served in order, each within its budget. */
export class LocalSlots implements Slots {
  readonly scope = 'process'
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor(readonly limit: number) {}

  acquire(budgetMs: number): Promise<SlotLease | null> {
    if (this.active < this.limit) {
      this.active++
      return Promise.resolve(this.lease())
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer)
        this.active++
        resolve(this.lease())
      }
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant)
        if (i >= 0) this.waiting.splice(i, 1)
        resolve(null)
      }, Math.max(0, budgetMs))
      this.waiting.push(grant)
    })
  }

  private lease(): SlotLease {
    let held = true
    return {
      release: async () => {
        if (!held) return
        held = false
        this.active--
        this.waiting.shift()?.()
      },
    }
  }
}

/** Slots shared through a store that may be unreachable (Redis). */
export interface SharedSlots extends Slots {
  /** Whether the store answers, waiting at most `waitMs` for a connection under way. */
  ready(waitMs: number): Promise<boolean>
}

/** How long a call waits for the shared store's connection before using this process's limit (ms). */
const CONNECT_WAIT_MS = 1500

/**
 * The shared limit when its store answers; this process's limit otherwise (Redis down, or not
 * reachable at the moment of the call), so a model call never waits long on a dead Redis.
 */
export class FallbackSlots implements Slots {
  private used: Slots

  constructor(
    private readonly shared: SharedSlots,
    private readonly local: Slots,
  ) {
    this.used = shared
  }

  /** The scope of the last acquire. */
  get scope(): string {
    return this.used.scope
  }

  get limit(): number {
    return this.used.limit
  }

  async acquire(budgetMs: number): Promise<SlotLease | null> {
    const t0 = performance.now()
    const left = () => budgetMs - (performance.now() - t0)
    if (await this.shared.ready(Math.min(budgetMs, CONNECT_WAIT_MS))) {
      try {
        this.used = this.shared
        return await this.shared.acquire(left())
      } catch {
        /* the store failed during the wait: this process's limit for this call */
      }
    }
    this.used = this.local
    return this.local.acquire(left())
  }
}
