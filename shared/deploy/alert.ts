/**
 * The alert hook: a Slack-compatible incoming webhook (POST {"text": ...}). Best effort, bounded
 * by a timeout; a failing hook is reported back, never thrown.
 */
export async function sendAlert(url: string | undefined, text: string, timeoutMs = 5000): Promise<{ sent: boolean; error?: string }> {
  if (!url) return { sent: false, error: 'no alert_webhook configured' }
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: text.slice(0, 3000) }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    await res.arrayBuffer().catch(() => undefined)
    return res.ok ? { sent: true } : { sent: false, error: `HTTP ${res.status}` }
  } catch (err) {
    return { sent: false, error: err instanceof Error ? err.message : String(err) }
  }
}
