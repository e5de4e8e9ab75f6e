import { add } from './math.mjs'
export const greet = (name) => `hello ${name}, ${add(1, 1)} times`
