import type { Services } from '../services';

/** Prompt Loop: Show Scores — what the ratings say about the variants of the panel's prompt. */
export async function showScores(services: Services): Promise<void> {
  await services.ratings.showScores();
}
