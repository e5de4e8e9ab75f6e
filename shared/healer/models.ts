import type { HealerAgent } from '../../agents/healer/schema'
import type { HealerConfig, LlmConfig } from '../config/schema'

/**
 * The LLM settings of the HealerAgent's call for a failure the classifier routed to `agent`:
 * `healer.models[agent]` when cicd.yml names one (seed 001's open question: a model per
 * specialist), else `defaults.llm` as it is (`models.healer`, else `model`).
 */
export function healerLlmFor(llm: LlmConfig, models: HealerConfig['models'], agent: HealerAgent): LlmConfig {
  const model = models[agent]
  return model ? { ...llm, models: { ...llm.models, healer: model } } : llm
}
