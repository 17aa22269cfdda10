import type { Services } from '../services';

/** Prompt Loop: Stop Run — stops every stream; what arrived is kept. */
export function stopRun(services: Services): Promise<void> {
  services.runs.stop();
  return Promise.resolve();
}
