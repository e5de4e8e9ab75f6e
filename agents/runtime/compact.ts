import { encode } from '../../shared/sns/encode'
import { promptValue } from './prompt-value'

/** A value as the model reads it in sns-core, which costs fewer tokens than JSON. */
export function compact(value: unknown): string {
  return encode(promptValue(value))
}
