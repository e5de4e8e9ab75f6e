/**
 * PR titles, commit messages, check names and command texts come from anyone who can open a pull
 * request or reach Redis: they are data, never instructions, and are cleaned before they travel.
 */

// C0/C1 control characters (ANSI escapes start with ESC), bidi overrides: never passed on.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Control characters removed, whitespace folded, cut to `max` characters. */
export function cleanText(text: string, max = 300): string {
  const clean = text.replace(CONTROL, '').replace(/\s+/g, ' ').trim()
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}

/**
 * Slack's mrkdwn escaping (`&`, `<`, `>`): untrusted text cannot make links or mentions
 * (`<!channel>`, `<@U123>`, `<https://evil|docs>`).
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Removes a secret (a webhook URL, a token) from a message before it is logged or stored. */
export function redact(text: string, ...secrets: Array<string | undefined>): string {
  let out = text
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join('[redacted]')
  return out
}
