/** The facts as the model reads them: compact text (sns-core once it lands; minified JSON until then). */
export function compact(value: unknown): string {
  return JSON.stringify(value)
}
