import type { HealerIngress } from '../ingress/github-webhook'
import type { KeyValueState } from '../runs/store'
import { HEALER_INTAKE_TOPIC, intakeRepo, screenHealerDelivery } from './intake-queue'
import { queuedRecord, saveIntake } from './intake-record'
import type { RemediateDeps } from './triage'

type Emit = (e: { topic: string; data: unknown }) => Promise<void>

/**
 * The webhook's side of the Healer's queue: screen a delivery with cicd.yml's settings, record it
 * (`queued`, visible on GET /api/status) and emit `ci.healer.intake` with its parsed fields.
 */
export function healerIngress(state: KeyValueState, emit: Emit, settings: () => Pick<RemediateDeps, 'processBots' | 'allowedAssociations'>): HealerIngress {
  return {
    screen: (event, deliveryId, payload) => screenHealerDelivery(event, deliveryId, payload, settings()),
    queue: async (intake) => {
      await saveIntake(state, queuedRecord(intake.deliveryId, intake.event, intakeRepo(intake)))
      await emit({ topic: HEALER_INTAKE_TOPIC, data: intake })
    },
  }
}
