/**
 * A minimal GGUF v3 writer (ggml-org/ggml docs/gguf.md): little-endian; header (magic "GGUF",
 * version 3, uint64 tensor and KV counts), typed metadata KV pairs, tensor infos (name, dims
 * in ggml order — ne[0] first —, type, offset relative to the data section), zero padding to
 * `general.alignment`, then each tensor's data at an aligned offset. F32 tensors only.
 */

/** gguf_metadata_value_type */
const T = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const

export type GgufScalar = { type: 'u32' | 'i32' | 'f32'; value: number } | { type: 'bool'; value: boolean } | { type: 'string'; value: string }
export type GgufArray = { type: 'array'; of: 'string'; value: string[] } | { type: 'array'; of: 'f32' | 'i32'; value: number[] }
export type GgufValue = GgufScalar | GgufArray

export const u32 = (value: number): GgufValue => ({ type: 'u32', value })
export const f32 = (value: number): GgufValue => ({ type: 'f32', value })
export const str = (value: string): GgufValue => ({ type: 'string', value })
export const bool = (value: boolean): GgufValue => ({ type: 'bool', value })

export interface GgufTensor {
  name: string
  /** ggml order: ne[0] (the contiguous dimension) first. */
  dims: number[]
  data: Float32Array
}

/** ggml_type GGML_TYPE_F32 */
const GGML_TYPE_F32 = 0

class ByteSink {
  private chunks: Buffer[] = []
  length = 0
  push(b: Buffer): void {
    this.chunks.push(b)
    this.length += b.length
  }
  u32(n: number): void {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(n)
    this.push(b)
  }
  i32(n: number): void {
    const b = Buffer.alloc(4)
    b.writeInt32LE(n)
    this.push(b)
  }
  u64(n: number | bigint): void {
    const b = Buffer.alloc(8)
    b.writeBigUInt64LE(BigInt(n))
    this.push(b)
  }
  f32(n: number): void {
    const b = Buffer.alloc(4)
    b.writeFloatLE(n)
    this.push(b)
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8')
    this.u64(b.length)
    this.push(b)
  }
  pad(alignment: number): void {
    const n = (alignment - (this.length % alignment)) % alignment
    if (n) this.push(Buffer.alloc(n))
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length)
  }
}

function writeValue(out: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      return out.u32(v.value)
    case 'i32':
      return out.i32(v.value)
    case 'f32':
      return out.f32(v.value)
    case 'bool':
      return out.push(Buffer.from([v.value ? 1 : 0]))
    case 'string':
      return out.string(v.value)
    case 'array':
      out.u32(T[v.of])
      out.u64(v.value.length)
      if (v.of === 'string') for (const s of v.value) out.string(s)
      else if (v.of === 'f32') for (const n of v.value) out.f32(n)
      else for (const n of v.value) out.i32(n)
  }
}

/** The GGUF file's bytes. `general.alignment` is written when it is not the default 32. */
export function encodeGguf(metadata: ReadonlyArray<readonly [string, GgufValue]>, tensors: readonly GgufTensor[], alignment = 32): Buffer {
  const kv: Array<readonly [string, GgufValue]> = [...metadata]
  if (alignment !== 32 && !kv.some(([k]) => k === 'general.alignment')) kv.push(['general.alignment', u32(alignment)])
  const out = new ByteSink()
  out.push(Buffer.from('GGUF', 'ascii'))
  out.u32(3)
  out.u64(tensors.length)
  out.u64(kv.length)
  for (const [key, value] of kv) {
    out.string(key)
    out.u32(T[value.type])
    writeValue(out, value)
  }
  let offset = 0
  const offsets: number[] = []
  for (const t of tensors) {
    const elements = t.dims.reduce((a, b) => a * b, 1)
    if (elements !== t.data.length) throw new Error(`${t.name}: dims ${t.dims.join('x')} but ${t.data.length} values`)
    out.string(t.name)
    out.u32(t.dims.length)
    for (const d of t.dims) out.u64(d)
    out.u32(GGML_TYPE_F32)
    out.u64(offset)
    offsets.push(offset)
    offset += t.data.byteLength + ((alignment - (t.data.byteLength % alignment)) % alignment)
  }
  out.pad(alignment)
  for (const t of tensors) {
    out.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))
    out.pad(alignment)
  }
  return out.toBuffer()
}
