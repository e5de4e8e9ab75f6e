/** `node --import tsx test/llm-real/make-model.ts <out.gguf>`: writes the random-weights model (the same bytes each time). */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { randomLlamaGguf } from './random-llama'

const out = process.argv[2]
if (!out) throw new Error('usage: make-model.ts <out.gguf>')
mkdirSync(dirname(out), { recursive: true })
const bytes = randomLlamaGguf()
writeFileSync(out, bytes)
console.log(`[llm-real] wrote ${out} (${(bytes.length / 1e6).toFixed(1)} MB)`)
