import type { Services } from '../services';

/** Prompt Loop: Show Results — opens or reveals the panel. */
export function showResults(services: Services): Promise<void> {
  services.panel.show(false);
  return Promise.resolve();
}
