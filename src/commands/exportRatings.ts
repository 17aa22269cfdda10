import * as vscode from 'vscode';
import * as path from 'node:path';
import { preferencePairs, ratedAnswerRows } from '../core/ratings/export';
import { csvTable } from '../core/sweep/export';
import type { Services } from '../services';

type Kind = 'csv' | 'jsonl' | 'pairs';

/**
 * Prompt Loop: Export Ratings — the rated answers of the panel's prompt family
 * as CSV or JSONL, or its preference pairs (prompt, chosen, rejected) as JSONL.
 */
export async function exportRatings(services: Services, options: { kind?: Kind; uri?: vscode.Uri } = {}): Promise<vscode.Uri | undefined> {
  const ref = services.ratings.shownFamily();
  if (!ref) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: show a run or a sweep with rated answers first; its prompt family is exported.'));
    return undefined;
  }
  const kind = options.kind ?? (await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('Rated answers (CSV)'), format: 'csv' as const },
      { label: vscode.l10n.t('Rated answers (JSON Lines)'), format: 'jsonl' as const },
      { label: vscode.l10n.t('Preference pairs (JSON Lines: prompt, chosen, rejected)'), format: 'pairs' as const, detail: vscode.l10n.t('From blind A/B verdicts and from differently rated answers to the same case') },
    ],
    { title: vscode.l10n.t('Export the ratings of {0}', ref.id) },
  ))?.format;
  if (!kind) return undefined;
  const store = await services.stores.forRoot(ref.root);
  const [ratings, pairs] = await Promise.all([store.ratings(ref.id), store.pairs(ref.id)]);
  const keys = new Set([...ratings.map((r) => r.answerKey), ...pairs.flatMap((p) => [p.left.answerKey, p.right.answerKey])]);
  const answers = await store.getAnswers(keys);
  const prompts = await store.getPrompts([...answers.values()].map((a) => a.promptHash));
  const base = ref.id.split('/').pop() ?? ref.id;
  const defaultName = kind === 'pairs' ? `${base}-preference-pairs.jsonl` : `${base}-ratings.${kind}`;
  const uri = options.uri ?? (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(ref.root, defaultName)), filters: kind === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl'] } }));
  if (!uri) return undefined;
  let text: string;
  let count: number;
  if (kind === 'pairs') {
    const rows = preferencePairs(ratings, pairs, answers, prompts);
    count = rows.length;
    text = rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '');
  } else {
    const rows = ratedAnswerRows(ratings, answers, prompts);
    count = rows.length;
    text = kind === 'jsonl' ? rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '') : csvTable(['family', 'variant', 'model', 'case_input', 'answer', 'score', 'comment', 'tags', 'rated_at', 'answer_key'], rows);
  }
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: exported {0} rows to {1}.', count, vscode.workspace.asRelativePath(uri)));
  return uri;
}
