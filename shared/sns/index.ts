/**
 * sns-core: compact, lossless notation for agent context (README.md has the grammar).
 * Token counting lives in ./tokens (it loads the tokenizer's tables): import it from there.
 */
export type { JsonArray, JsonObject, JsonPrimitive, JsonValue } from './json'
export { encode } from './encode'
export { decode } from './decode'
export { SnsSyntaxError } from './reader'
export { encodeWith, decodeWith } from './schema'
export { project, PURPOSES, type Purpose } from './project'
export { marksOf, type NotationMark } from './marks'
