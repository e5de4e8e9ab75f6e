import type { KeyValueState } from './store'

/** One pipeline event seen for a run: the run's timeline, kept apart from the run record. */
export interface TimelineEntry {
  topic: string
  at: string
  success?: boolean
  stage?: string
  reason?: string
}

/** Each run has its own group and each topic its own key, so concurrent writers never clash. */
export const timelineGroup = (runId: string) => `cicd-timeline-${runId}`

export async function recordTimeline(state: KeyValueState, runId: string, entry: TimelineEntry): Promise<void> {
  await state.set(timelineGroup(runId), entry.topic, entry)
}

export async function readTimeline(state: KeyValueState, runId: string): Promise<TimelineEntry[]> {
  return (await state.getGroup<TimelineEntry>(timelineGroup(runId))).sort((a, b) => a.at.localeCompare(b.at))
}
