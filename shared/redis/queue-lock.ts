/**
 * CICD_QUEUE_LOCK_SECONDS: when set (5..3600), every event step's job lock lasts this long instead
 * of its `visibilityTimeout`, so a crashed instance's in-flight stage is taken over sooner (or
 * later). The lock is renewed while the stage runs, so a long stage is never taken over while its
 * instance lives. Unset or invalid: undefined (each step's own value).
 */
export function queueLockOverride(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.CICD_QUEUE_LOCK_SECONDS
  if (!raw) return undefined
  const n = Number(raw)
  return Number.isInteger(n) && n >= 5 && n <= 3600 ? n : undefined
}
