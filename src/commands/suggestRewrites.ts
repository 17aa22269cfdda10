import type { Services } from '../services';
import { uriOfTreeArgument } from '../views/familyTree';

/** Prompt Loop: Suggest Rewrites — from the palette, the CodeLens, the panel or the Prompt Families view. */
export async function suggestRewrites(services: Services, target?: unknown): Promise<void> {
  await services.suggestions.start(uriOfTreeArgument(target));
}
