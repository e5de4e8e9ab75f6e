import type { CommandOf } from '../messages'
import { redact, slackEscape } from '../untrusted-text'
import { executed, HttpFailure, refused, type HandlerContext, type Outcome } from './outcome'

/** The notification as Slack shows it; the text is escaped (no mentions or links from untrusted text). */
export function notificationText(cmd: CommandOf<'notify'>, fullName: string): string {
  return `[${fullName}${cmd.pr_number ? ` #${cmd.pr_number}` : ''}] ${slackEscape(cmd.text)}`
}

/** POSTs `{text}` to a Slack-compatible incoming webhook. The URL is a secret: it never appears in a message. */
export async function handleNotify(cmd: CommandOf<'notify'>, { target, notifyUrl }: HandlerContext, timeoutMs = 10_000): Promise<Outcome> {
  if (!notifyUrl) return refused('no notify webhook is configured (coordination.notify.webhook_url or CICD_NOTIFY_WEBHOOK_URL)')
  let res: Response
  try {
    res = await fetch(notifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: notificationText(cmd, target.fullName) }),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.name) : 'error'
    throw new HttpFailure(redact(`the notify webhook did not answer (${cause})`, notifyUrl))
  }
  await res.arrayBuffer().catch(() => undefined)
  if (!res.ok) throw new HttpFailure(`the notify webhook answered ${res.status}`, res.status)
  return executed(`notified${cmd.pr_number ? ` about PR #${cmd.pr_number}` : ''}`)
}
