import type { Services } from '../services';

/** Prompt Loop: Cancel Sweep — stops the running sweep; finished cells are kept. */
export function cancelSweep(services: Services): Promise<void> {
  services.sweeps.cancel();
  return Promise.resolve();
}
