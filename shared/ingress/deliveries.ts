import type { Redis } from 'ioredis'

export type Claim = { fresh: true } | { fresh: false; runId: string }

/** Remembers which webhook deliveries started which run, so a redelivery starts nothing. */
export interface DeliveryLedger {
  /** Atomically records `deliveryId → runId` unless the delivery was seen before. */
  claim(deliveryId: string, runId: string): Promise<Claim>
  /** Forgets a claim whose run could not be started (so GitHub's redelivery can try again). */
  release(deliveryId: string): Promise<void>
}

const TTL_SECONDS = 30 * 24 * 3600 // GitHub lets you redeliver for 3 days; keep a month

export class RedisDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'cicd:delivery:',
  ) {}

  async claim(deliveryId: string, runId: string): Promise<Claim> {
    const key = this.prefix + deliveryId
    const ok = await this.redis.set(key, runId, 'EX', TTL_SECONDS, 'NX')
    if (ok === 'OK') return { fresh: true }
    return { fresh: false, runId: (await this.redis.get(key)) ?? '' }
  }

  async release(deliveryId: string): Promise<void> {
    await this.redis.del(this.prefix + deliveryId)
  }
}

export class MemoryDeliveryLedger implements DeliveryLedger {
  private seen = new Map<string, string>()
  async claim(deliveryId: string, runId: string): Promise<Claim> {
    const prev = this.seen.get(deliveryId)
    if (prev !== undefined) return { fresh: false, runId: prev }
    this.seen.set(deliveryId, runId)
    return { fresh: true }
  }
  async release(deliveryId: string): Promise<void> {
    this.seen.delete(deliveryId)
  }
}
