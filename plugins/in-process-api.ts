import { createJiti } from 'jiti'
import type { MotiaPluginContext, MotiaPlugin, ApiRouteHandler } from 'motia'

/**
 * Motia 0.17 runs every step invocation in a fresh child process (~400 ms). API steps answer
 * users and GitHub, so this plugin loads their handlers into the server process once; Motia's
 * request path calls `step.handler` in-process when it is set. Event steps keep Motia's isolation.
 */
export const inProcessApiPlugin = (motia: MotiaPluginContext): MotiaPlugin => {
  const jiti = createJiti(import.meta.url)
  for (const step of motia.lockedData.apiSteps()) {
    void jiti
      .import<{ handler?: ApiRouteHandler }>(step.filePath)
      .then((mod) => {
        if (typeof mod.handler === 'function') Object.assign(step, { handler: mod.handler })
      })
      .catch((err: unknown) => console.error(`[cicd] could not load ${step.filePath} in-process:`, err))
  }
  return { workbench: [] }
}
