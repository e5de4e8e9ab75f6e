import type { Redis } from 'ioredis'
import type { CounterArchive } from '../metrics/archive'

export const ARCHIVE_KEY = 'cicd:metrics:archived'
const claimKey = (runId: string) => `cicd:metrics:archived-run:${runId}`
/** How long the mark "this run is archived" stays: far longer than a crash between archiving and deleting lasts. */
const CLAIM_TTL_S = 30 * 86_400

/** Marks the run archived and adds its series in one step, only if it was not archived before. */
const ADD = `
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  for i = 2, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[1], ARGV[i], ARGV[i + 1]) end
  return 1
end
return 0`

/** The archive on the Redis every instance shares: a hash of series, added to atomically, once per run. */
export class RedisCounterArchive implements CounterArchive {
  constructor(private readonly redis: Redis) {}

  async add(runId: string, series: Record<string, number>): Promise<boolean> {
    const args = Object.entries(series).flatMap(([s, v]) => [s, String(v)])
    return (await this.redis.eval(ADD, 2, ARCHIVE_KEY, claimKey(runId), String(CLAIM_TTL_S), ...args)) === 1
  }

  async read(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(ARCHIVE_KEY)
    const out: Record<string, number> = {}
    for (const [s, v] of Object.entries(raw)) {
      const n = Number(v)
      if (Number.isFinite(n)) out[s] = n
    }
    return out
  }
}
