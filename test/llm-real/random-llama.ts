/**
 * A tiny llama-shaped model with seeded random weights, as a GGUF file llama.cpp loads: the
 * keys and tensor names of gguf-py's constants (LLAMA: token_embd, blk.N.attn_norm / attn_q /
 * attn_k / attn_v / attn_output / ffn_norm / ffn_gate / ffn_up / ffn_down, output_norm, output)
 * and a SentencePiece-style ("llama") vocabulary of one token per printable ASCII character,
 * "▁" for a space and the 256 byte tokens <0x00>…<0xFF>, so any text (JSON included) has a
 * spelling. Its answers are nonsense; the JSON-schema grammar makes them schema-shaped.
 *
 * One deliberate bias: every token embedding carries a constant in dimension 0 and the output
 * rows of the JSON tokens that end something (`"` `,` `}` `]`) weigh that dimension, so under
 * greedy sampling strings and arrays end soon instead of running to max_tokens.
 */
import { encodeGguf, f32, str, u32, bool, type GgufTensor, type GgufValue } from './gguf-writer'

export interface RandomLlamaOptions {
  seed?: number
  embedding?: number
  layers?: number
  heads?: number
  feedForward?: number
  contextLength?: number
  /** Logit preference of the closing JSON tokens (0: none). */
  closingBias?: number
}

/** llama_token_type */
const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const

export interface Vocabulary {
  tokens: string[]
  types: number[]
  scores: number[]
  bos: number
  eos: number
  unk: number
}

export function charVocabulary(): Vocabulary {
  const tokens = ['<unk>', '<s>', '</s>']
  const types: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control]
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)
    types.push(TOKEN_TYPE.byte)
  }
  tokens.push('\u2581') // SentencePiece's space
  types.push(TOKEN_TYPE.normal)
  for (let c = 0x21; c <= 0x7e; c++) {
    tokens.push(String.fromCharCode(c))
    types.push(TOKEN_TYPE.normal)
  }
  return { tokens, types, scores: tokens.map(() => 0), bos: 1, eos: 2, unk: 0 }
}

/** mulberry32: a small seeded PRNG, and Box–Muller normals from it. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}

export function randomLlamaGguf(opts: RandomLlamaOptions = {}): Buffer {
  const { seed = 42, embedding: n = 64, layers = 2, heads = 4, feedForward: ff = 128, contextLength = 8192, closingBias = 6 } = opts
  const vocab = charVocabulary()
  const V = vocab.tokens.length
  const normal = gaussian(seed)
  const matrix = (cols: number, rows: number, std: number): Float32Array => Float32Array.from({ length: cols * rows }, () => normal() * std)
  const ones = (len: number) => new Float32Array(len).fill(1)

  const embd = matrix(n, V, 1)
  const output = matrix(n, V, 1 / Math.sqrt(n))
  if (closingBias) {
    for (let t = 0; t < V; t++) embd[t * n] = 4
    // `"` first (a string ends before its closing bracket could win inside it), then the rest
    const weight: Record<string, number> = { '"': 1, ']': 0.5, '}': 0.5, ',': 0.3 }
    for (const [c, w] of Object.entries(weight)) output[vocab.tokens.indexOf(c) * n] = (closingBias * w) / 4
  }
  const tensors: GgufTensor[] = [{ name: 'token_embd.weight', dims: [n, V], data: embd }]
  for (let i = 0; i < layers; i++) {
    const w = (name: string, cols: number, rows: number) => tensors.push({ name: `blk.${i}.${name}.weight`, dims: [cols, rows], data: matrix(cols, rows, 0.5 / Math.sqrt(cols)) })
    tensors.push({ name: `blk.${i}.attn_norm.weight`, dims: [n], data: ones(n) })
    w('attn_q', n, n)
    w('attn_k', n, n)
    w('attn_v', n, n)
    w('attn_output', n, n)
    tensors.push({ name: `blk.${i}.ffn_norm.weight`, dims: [n], data: ones(n) })
    w('ffn_gate', n, ff)
    w('ffn_up', n, ff)
    w('ffn_down', ff, n)
  }
  tensors.push({ name: 'output_norm.weight', dims: [n], data: ones(n) })
  tensors.push({ name: 'output.weight', dims: [n, V], data: output })

  const metadata: Array<readonly [string, GgufValue]> = [
    ['general.architecture', str('llama')],
    ['general.name', str('random-llama-tiny')],
    ['general.description', str(`seeded random weights (seed ${seed}): answers are nonsense`)],
    ['general.file_type', u32(0)], // all F32
    ['llama.context_length', u32(contextLength)],
    ['llama.embedding_length', u32(n)],
    ['llama.block_count', u32(layers)],
    ['llama.feed_forward_length', u32(ff)],
    ['llama.attention.head_count', u32(heads)],
    ['llama.attention.head_count_kv', u32(heads)],
    ['llama.attention.layer_norm_rms_epsilon', f32(1e-5)],
    ['llama.rope.dimension_count', u32(n / heads)],
    ['llama.rope.freq_base', f32(10000)],
    ['llama.vocab_size', u32(V)],
    ['tokenizer.ggml.model', str('llama')],
    ['tokenizer.ggml.tokens', { type: 'array', of: 'string', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', of: 'f32', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', of: 'i32', value: vocab.types }],
    ['tokenizer.ggml.bos_token_id', u32(vocab.bos)],
    ['tokenizer.ggml.eos_token_id', u32(vocab.eos)],
    ['tokenizer.ggml.unknown_token_id', u32(vocab.unk)],
    ['tokenizer.ggml.add_bos_token', bool(true)],
    ['tokenizer.ggml.add_eos_token', bool(false)],
  ]
  return encodeGguf(metadata, tensors)
}
