/** Counts o200k_base tokens of a text (special-token text counted as plain text, as shared/sns/tokens.ts does). */
export type TokenCounter = (text: string) => number

let counter: TokenCounter | undefined

/**
 * The tokenizer takes about 0.4 s to load, so it loads on the first call: a step that never asks
 * a model never pays for it. A package import on purpose: Motia's step compiler rewrites only
 * static relative imports, so a dynamic import of a project file would not resolve there.
 */
export async function promptTokenCounter(): Promise<TokenCounter> {
  if (!counter) {
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base')
    const plain = { disallowedSpecial: new Set<string>() }
    counter = (text) => countTokens(text, plain)
  }
  return counter
}
