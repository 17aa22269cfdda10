import type { Services } from '../services';
import type { SweepPreset } from '../sweepController';
import { uriOfTreeArgument } from '../views/familyTree';

/** Prompt Loop: Run Variant Sweep — from the palette, the CodeLens or the Prompt Families view. */
export async function runSweep(services: Services, target?: unknown, preset?: SweepPreset): Promise<void> {
  await services.sweeps.run(uriOfTreeArgument(target), preset);
}
