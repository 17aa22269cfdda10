import type { Services } from '../services';

/** Prompt Loop: Compare Blind — two answers of the shown sweep, unnamed, in random order. */
export async function compareBlind(services: Services): Promise<void> {
  await services.blind.start();
}
