import type * as vscode from 'vscode';
import type { Services } from '../services';
import { uriOfTreeArgument } from '../views/familyTree';

/** Prompt Loop: Compare Variants — the diff editor on two variants and a word diff of what they send. */
export async function compareVariants(services: Services, left?: unknown, right?: vscode.Uri): Promise<void> {
  await services.compare.compare(uriOfTreeArgument(left), right);
}
