/**
 * node-llama-cpp, loaded from the tier's private prefix (`.cicd/llm-real`, installed by
 * scripts/llm-real.sh), never from the project's dependencies. The types below are the part
 * of its API this tier uses (node-llama-cpp 3.22.1).
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export const LLM_REAL_PREFIX = resolve(process.env.CICD_LLM_REAL_PREFIX ?? '.cicd/llm-real')
export const LLM_REAL_MODEL = join(LLM_REAL_PREFIX, 'random-llama.gguf')

export interface TokenMeter {
  readonly usedInputTokens: number
  readonly usedOutputTokens: number
}
export type LlamaGrammar = object
export interface LlamaContextSequence {
  readonly tokenMeter: TokenMeter
  clearHistory(): Promise<void>
}
export interface LlamaContext {
  readonly contextSize: number
  getSequence(): LlamaContextSequence
  dispose(): Promise<void>
}
export interface LlamaModel {
  tokenize(text: string): number[]
  createContext(opts: { contextSize: number; threads: number; sequences?: number }): Promise<LlamaContext>
  dispose(): Promise<void>
}
export interface Llama {
  loadModel(opts: { modelPath: string }): Promise<LlamaModel>
  createGrammarForJsonSchema(schema: object): Promise<LlamaGrammar>
  getGrammarFor(type: 'json'): Promise<LlamaGrammar>
  dispose(): Promise<void>
}
export interface CompletionOptions {
  signal?: AbortSignal
  maxTokens?: number
  temperature?: number
  seed?: number
  grammar?: LlamaGrammar
}
export interface LlamaCompletion {
  generateCompletionWithMeta(prompt: string, opts: CompletionOptions): Promise<{ response: string; metadata: { stopReason: string } }>
  dispose(): void
}
export interface NodeLlamaCpp {
  getLlama(opts: { gpu: false; build: 'never'; logLevel?: 'error' | 'warn' }): Promise<Llama>
  LlamaCompletion: new (opts: { contextSequence: LlamaContextSequence }) => LlamaCompletion
}

export function engineEntry(prefix = LLM_REAL_PREFIX): string {
  return join(prefix, 'node_modules', 'node-llama-cpp', 'dist', 'index.js')
}

export function engineInstalled(prefix = LLM_REAL_PREFIX): boolean {
  return existsSync(engineEntry(prefix)) && existsSync(LLM_REAL_MODEL)
}

export async function loadEngine(prefix = LLM_REAL_PREFIX): Promise<NodeLlamaCpp> {
  const entry = engineEntry(prefix)
  if (!existsSync(entry)) throw new Error(`node-llama-cpp is not installed in ${prefix}: run npm run test:llm-real`)
  return (await import(pathToFileURL(entry).href)) as NodeLlamaCpp
}
