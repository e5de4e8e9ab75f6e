import type { NotationMark } from '../../shared/sns/marks'

/** What each mark means, in the order the legend gives them. */
const MEANING: Record<NotationMark, string> = {
  table: '[{a|b} then one line per object is a table (an empty cell: key absent)',
  repeat: '^ repeats the item before or the cell above',
  prefix: '^N first in a list: the first N items of the list above',
  path: './x, ../x: relative to the previous path',
  tail: '…x: the previous value with its end replaced by x',
  above: "a list's first item refers to the list above",
}
const ORDER: NotationMark[] = ['table', 'repeat', 'prefix', 'path', 'tail', 'above']

/**
 * How to read FACTS and BASELINE written in sns-core, naming only the marks the texts use:
 * `key:value|key:value`, `{…}`, `[a,b]` and `"…"` read as they look, so with no table and no
 * ditto there is no legend at all (empty string).
 */
export function legendFor(marks: ReadonlySet<NotationMark>): string {
  const used = ORDER.filter((m) => marks.has(m))
  return used.length === 0 ? '' : `In FACTS and BASELINE (key:value|…): ${used.map((m) => MEANING[m]).join('; ')}.`
}
