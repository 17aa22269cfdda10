import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { diffWordsWithSpace } from 'diff';
import { modelMatches } from './core/analysis';
import type { VariantFamily } from './core/family';
import { freeVariantName, validateVariantName, variantLabel, variantPath } from './core/family';
import { streamChat } from './core/ollamaClient';
import { folderPartialResolver, shortModelName, toOllamaModelName } from './core/prompt';
import type { SuggestionsView, SuggestionView } from './core/protocol';
import { latestRatings } from './core/ratings/scores';
import type { CheckedRewrite } from './core/rewrite/check';
import { checkRewrite, splitPrompt, usedVariables } from './core/rewrite/check';
import { fewShotBody } from './core/rewrite/fewShot';
import type { RatedExample, Technique } from './core/rewrite/metaPrompt';
import { buildOptimizerRequest, techniques } from './core/rewrite/metaPrompt';
import { parseOptimizerOutput } from './core/rewrite/parse';
import type { PromptStore } from './core/store/promptStore';
import type { SuggestionRecord } from './core/store/records';
import { caseKeyOf } from './core/sweep/plan';
import type { FamilyIndex } from './familyIndex';
import { workspaceRootFor } from './familyIndex';
import type { OllamaService } from './ollamaService';
import type { PromptLoopPanel } from './panel/promptLoopPanel';
import type { RatingController } from './ratingController';
import type { StoreService } from './storeService';
import type { SweepController } from './sweepController';

export const suggestionScheme = 'promptloop-suggestion';

interface Item {
  view: SuggestionView;
  /** The whole .prompt file it proposes (after the checks). */
  text?: string;
  technique: Technique | 'other';
  checked: boolean;
  record?: SuggestionRecord;
}

interface Session {
  view: SuggestionsView;
  items: Item[];
  family: VariantFamily;
  root: string;
  parentUri: vscode.Uri;
  parentText: string;
  controller: AbortController;
  /** Cases (by key) and models the parent's answers were rated on: the proof sweep runs those. */
  ratedCases: Set<string>;
  ratedModels: string[];
}

/**
 * Prompt Loop: Suggest Rewrites — asks the optimizer model for a critique and
 * rewritten prompts built from the user's ratings, checks each rewrite, and
 * lets the user open, accept (as a new variant), apply or discard it, then
 * prove it with an A/B sweep.
 */
export class SuggestionController implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private session: Session | undefined;
  private panel!: PromptLoopPanel;
  private postTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ollama: OllamaService,
    private readonly families: FamilyIndex,
    private readonly stores: StoreService,
    private readonly sweeps: SweepController,
    private readonly ratings: RatingController,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  attach(panel: PromptLoopPanel): void {
    this.panel = panel;
  }

  get current(): SuggestionsView | undefined {
    return this.session?.view;
  }

  /** The suggested file, for VS Code's diff editor. */
  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = uri.path.split('/')[1];
    return this.session?.items.find((i) => i.view.id === id)?.text ?? vscode.l10n.t('This suggestion is no longer available.');
  }

  /** Starts suggesting rewrites of `target` (a .prompt file), the active prompt, or the panel's family. Resolves the view when done. */
  async start(target?: vscode.Uri): Promise<SuggestionsView | undefined> {
    const parentUri = await this.parentOf(target);
    if (!parentUri) return undefined;
    const family = await this.families.familyOf(parentUri);
    if (!family) throw new Error(vscode.l10n.t('{0} is not part of a prompt family.', path.basename(parentUri.fsPath)));
    const optimizer = await this.optimizerModel();
    if (!optimizer) return undefined;
    this.stop();

    const root = workspaceRootFor(parentUri);
    const store = await this.stores.forRoot(root);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === parentUri.toString());
    const parentText = open?.getText() ?? new TextDecoder().decode(await vscode.workspace.fs.readFile(parentUri));
    const parentVariant = family.variants.find((v) => v.path === parentUri.fsPath)?.variant ?? '';
    const evidence = await this.evidence(store, family, parentVariant);
    const scores = await this.ratings.scoresOf({ root, id: family.id });
    const { body } = splitPrompt(parentText);
    const request = buildOptimizerRequest({
      body,
      variables: usedVariables(parentText),
      promptName: path.basename(parentUri.fsPath),
      scores: scores.variants.filter((v) => v.model === undefined).map((v) => ({ label: variantLabel(v.variant), mean: v.mean, n: v.n })),
      examples: evidence.examples,
    });

    const session: Session = {
      view: { sessionId: randomUUID(), family: family.name, parentVariant, parentLabel: path.basename(parentUri.fsPath), optimizerModel: optimizer, state: 'running', evidence: request.used.length, items: [] },
      items: [],
      family,
      root,
      parentUri,
      parentText,
      controller: new AbortController(),
      ratedCases: evidence.cases,
      ratedModels: evidence.models,
    };
    this.session = session;
    this.panel.bringForward('suggestions');
    this.post();
    this.log.info(`Suggest rewrites of ${session.view.parentLabel} with ${optimizer} from ${request.used.length} rated answers`);

    const sampleInput = evidence.examples[0]?.input ?? {};
    const checks: Promise<void>[] = [];
    // The one rewrite that needs no optimizer: few-shot examples from the best-rated answers.
    const fewShot = fewShotBody(body, evidence.examples);
    if (fewShot) {
      const item = this.addItem(session, 'fewshot', vscode.l10n.t('Adds {0} of your best-rated answers as examples.', fewShot.used.length));
      checks.push(this.check(session, item, fewShot.body, sampleInput));
    }

    let text = '';
    let lastParse = 0;
    const absorb = (finished: boolean) => {
      const parsed = parseOptimizerOutput(text, finished);
      if (parsed.critique) session.view.critique = parsed.critique;
      const optimizerItems = session.items.filter((i) => i.view.id.startsWith('opt-'));
      for (const rewrite of parsed.rewrites) {
        let item = optimizerItems.find((i) => i.view.id === `opt-${session.view.sessionId}-${rewrite.index}`);
        if (!item) {
          item = this.addItem(session, rewrite.technique ?? 'other', rewrite.summary, `opt-${session.view.sessionId}-${rewrite.index}`, rewrite.techniqueText);
        }
        if (rewrite.summary) item.view.summary = rewrite.summary;
        if (!item.checked) {
          item.view.diff = wordDiff(body, rewrite.body);
          if (rewrite.complete) {
            item.checked = true;
            checks.push(this.check(session, item, rewrite.body, sampleInput));
          }
        }
      }
      this.post();
    };
    const outcome = await streamChat(
      this.ollama.client(),
      { model: optimizer, messages: request.messages, options: request.options },
      {
        onText: (piece) => {
          text += piece;
          const now = Date.now();
          if (now - lastParse > 150) {
            lastParse = now;
            absorb(false);
          }
        },
      },
      { host: this.ollama.host, signal: session.controller.signal, idleTimeoutMs: Math.max(5, vscode.workspace.getConfiguration('promptLoop').get<number>('requestTimeoutSeconds', 300)) * 1000 },
    );
    // Only an answer that ended normally closes its last block: a stopped or cut one leaves it unfinished.
    absorb(outcome.status === 'done');
    await Promise.all(checks);
    if (this.session !== session) return session.view;
    if (outcome.status === 'failed') {
      session.view.state = 'failed';
      session.view.error = outcome.error?.message ?? vscode.l10n.t('The optimizer did not answer.');
      if (outcome.error?.kind === 'unreachable') void this.ollama.reportUnreachable();
      else if (outcome.error?.kind === 'modelMissing') void this.ollama.offerPull(optimizer);
    } else if (outcome.status === 'stopped') {
      session.view.state = 'stopped';
    } else {
      session.view.state = 'done';
      if (session.items.filter((i) => i.view.id.startsWith('opt-')).length === 0) {
        session.view.error = vscode.l10n.t('{0} answered, but not in the format asked for, so no rewrite could be read from it. Try another optimizer model (promptLoop.optimizerModel).', optimizer);
        this.log.warn(`Optimizer answer without rewrites:\n${text.slice(0, 2000)}`);
      }
    }
    this.post(true);
    return session.view;
  }

  stop(): void {
    this.session?.controller.abort();
  }

  /** Handles a card's action. */
  async act(suggestionId: string, action: 'openDiff' | 'accept' | 'apply' | 'discard' | 'runProof', name?: string): Promise<unknown> {
    const session = this.session;
    const item = session?.items.find((i) => i.view.id === suggestionId);
    if (!session || !item) throw new Error(vscode.l10n.t('That suggestion is no longer available.'));
    if (action !== 'runProof' && action !== 'discard' && (!item.text || item.view.status === 'rejected' || item.view.status === 'streaming')) {
      throw new Error(vscode.l10n.t('This suggestion was not checked as usable, so it cannot be used.'));
    }
    switch (action) {
      case 'openDiff': {
        const uri = vscode.Uri.from({ scheme: suggestionScheme, path: `/${item.view.id}/${session.family.name}.suggested.prompt` });
        await vscode.commands.executeCommand('vscode.diff', session.parentUri, uri, vscode.l10n.t('{0} ↔ suggestion: {1}', session.view.parentLabel, item.view.techniqueLabel), { preview: true, viewColumn: vscode.ViewColumn.One });
        return undefined;
      }
      case 'accept':
        return this.accept(session, item, name);
      case 'apply': {
        const document = await vscode.workspace.openTextDocument(session.parentUri);
        const edit = new vscode.WorkspaceEdit();
        edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), item.text!);
        if (!(await vscode.workspace.applyEdit(edit))) throw new Error(vscode.l10n.t('The edit could not be applied to {0}.', session.view.parentLabel));
        await vscode.window.showTextDocument(document);
        item.view.status = 'applied';
        await this.saveRecord(session, item, 'applied');
        void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: applied to {0} (Undo with Ctrl+Z; not saved yet).', session.view.parentLabel));
        this.post(true);
        return undefined;
      }
      case 'discard':
        item.view.status = 'discarded';
        await this.saveRecord(session, item, 'discarded');
        this.post(true);
        return undefined;
      case 'runProof':
        return this.runProof(session, item);
    }
  }

  // ------------------------------------------------------------------ steps

  private async accept(session: Session, item: Item, name?: string): Promise<vscode.Uri | undefined> {
    const family = (await this.families.familyOf(session.parentUri)) ?? session.family;
    const existing = family.variants.map((v) => v.variant).filter(Boolean);
    const suggested = freeVariantName(item.technique === 'other' ? 'rewrite' : item.technique, existing);
    const chosen = name ?? (await vscode.window.showInputBox({
      title: vscode.l10n.t('Save the suggestion as a variant of {0}', family.name),
      value: suggested,
      prompt: vscode.l10n.t('Saved as {0}.<name>.prompt, beside {1}.', family.name, session.view.parentLabel),
      validateInput: (value) => validateVariantName(value, existing),
    }));
    if (chosen === undefined) return undefined;
    const problem = validateVariantName(chosen, existing);
    if (problem) throw new Error(problem);
    const uri = vscode.Uri.file(variantPath(family, chosen));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(item.text));
    this.families.refresh();
    const store = await this.stores.forRoot(session.root);
    await this.saveRecord(session, item, 'accepted', chosen);
    await store.putLineage({ family: family.id, variant: chosen, parent: session.view.parentVariant, suggestionId: item.view.id, technique: item.technique, createdAt: Date.now() });
    item.view.status = 'accepted';
    item.view.acceptedAs = chosen;
    this.post(true);
    await this.ratings.pairsChanged({ root: session.root, id: family.id });
    const runNow = vscode.l10n.t('Run A/B Now');
    void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: saved as {0}. Run it against {1} on the rated cases to see if it is better?', path.basename(uri.fsPath), session.view.parentLabel), runNow).then((choice) => {
      if (choice === runNow) void this.act(item.view.id, 'runProof').catch((error: unknown) => void vscode.window.showErrorMessage(vscode.l10n.t('Prompt Loop: {0}', error instanceof Error ? error.message : String(error))));
    });
    return uri;
  }

  /** The proof: a sweep of the parent and the new variant over the cases (and models) the parent was rated on. */
  private async runProof(session: Session, item: Item): Promise<unknown> {
    if (!item.view.acceptedAs) throw new Error(vscode.l10n.t('Accept the suggestion as a variant first; the A/B run compares it with {0}.', session.view.parentLabel));
    const family = (await this.families.familyOf(session.parentUri)) ?? session.family;
    const cases = (await this.families.cases(family))?.cases ?? [];
    const caseIndexes = cases.filter((c) => session.ratedCases.has(caseKeyOf(c.input))).map((c) => c.index);
    const models = session.ratedModels.length ? session.ratedModels : undefined;
    return this.sweeps.run(session.parentUri, {
      variants: [session.view.parentVariant, item.view.acceptedAs],
      models,
      cases: caseIndexes.length ? caseIndexes : undefined,
      skipConfirm: true,
    });
  }

  private addItem(session: Session, technique: Technique | 'other', summary?: string, id = `few-${session.view.sessionId}`, techniqueText?: string): Item {
    const view: SuggestionView = {
      id,
      technique,
      techniqueLabel: technique === 'other' ? (techniqueText ? capitalize(techniqueText) : vscode.l10n.t('Rewrite')) : techniques[technique],
      status: 'streaming',
      notes: [],
      diff: [],
    };
    if (summary) view.summary = summary;
    const item: Item = { view, technique, checked: false };
    session.items.push(item);
    session.view.items = session.items.map((i) => i.view);
    return item;
  }

  private async check(session: Session, item: Item, body: string, sampleInput: Record<string, unknown>): Promise<void> {
    item.checked = true;
    let checked: CheckedRewrite;
    try {
      checked = await checkRewrite(session.parentText, body, sampleInput, { resolvePartial: folderPartialResolver(path.dirname(session.parentUri.fsPath)) });
    } catch (error) {
      checked = { status: 'rejected', text: body, body, notes: [vscode.l10n.t('It could not be checked: {0}', error instanceof Error ? error.message : String(error))] };
    }
    item.view.status = checked.status;
    item.view.notes = checked.notes;
    item.view.diff = wordDiff(splitPrompt(session.parentText).body, checked.body);
    if (checked.status !== 'rejected') {
      item.text = checked.text;
      await this.saveRecord(session, item, 'offered');
    }
    this.post();
  }

  private async saveRecord(session: Session, item: Item, status: SuggestionRecord['status'], acceptedAs?: string): Promise<void> {
    if (!item.text) return;
    const record: SuggestionRecord = item.record ?? {
      id: item.view.id,
      family: session.family.id,
      parentVariant: session.view.parentVariant,
      technique: item.technique,
      critique: session.view.critique ?? '',
      text: item.text,
      optimizerModel: session.view.optimizerModel,
      createdAt: Date.now(),
      status,
    };
    record.status = status;
    if (session.view.critique) record.critique = session.view.critique;
    if (acceptedAs) record.acceptedAs = acceptedAs;
    item.record = record;
    try {
      await (await this.stores.forRoot(session.root)).putSuggestion(record);
    } catch (error) {
      this.log.warn(`Suggestion ${record.id} not stored: ${this.stores.describe(error)}`);
    }
  }

  /** Rated answers with their texts and inputs: the parent's (low and high), and the best of the others. */
  private async evidence(store: PromptStore, family: VariantFamily, parentVariant: string): Promise<{ examples: RatedExample[]; cases: Set<string>; models: string[] }> {
    const ratings = latestRatings(await store.ratings(family.id));
    const wanted = ratings.filter((r) => r.variant === parentVariant || r.score >= 4);
    const answers = await store.getAnswers(wanted.map((r) => r.answerKey));
    const prompts = await store.getPrompts([...answers.values()].map((a) => a.promptHash));
    const examples: RatedExample[] = [];
    for (const rating of wanted) {
      const answer = answers.get(rating.answerKey);
      if (!answer?.text.trim()) continue;
      const example: RatedExample = { input: prompts.get(answer.promptHash)?.input ?? {}, answer: answer.text, score: rating.score, model: rating.model, variant: rating.variant };
      if (rating.comment) example.comment = rating.comment;
      if (rating.tags?.length) example.tags = rating.tags;
      examples.push(example);
    }
    const own = ratings.filter((r) => r.variant === parentVariant);
    return { examples, cases: new Set(own.map((r) => r.caseKey)), models: [...new Set(own.map((r) => r.model))] };
  }

  private async parentOf(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (target) return target;
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === 'dotprompt' && editor.document.uri.scheme === 'file') return editor.document.uri;
    // From the panel: the best-rated variant of the family shown.
    const ref = this.ratings.shownFamily();
    const family = ref && (await this.families.all()).find((f) => f.id === ref.id);
    if (family) {
      const scores = await this.ratings.scoresOf(ref);
      const best = scores.variants.find((v) => v.model === undefined && v.rank === 1)?.variant ?? '';
      const file = family.variants.find((v) => v.variant === best) ?? family.variants[0];
      return vscode.Uri.file(file.path);
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: open the .prompt file to improve, then run Suggest Rewrites.'));
    return undefined;
  }

  /** The optimizer model: the setting, else a pick from the installed models (offered to be remembered). */
  private async optimizerModel(): Promise<string | undefined> {
    const configured = vscode.workspace.getConfiguration('promptLoop').get<string>('optimizerModel', '').trim();
    let installed;
    try {
      installed = await this.ollama.models();
    } catch {
      if (await this.ollama.reportUnreachable()) return this.optimizerModel();
      return undefined;
    }
    if (configured) {
      const name = shortModelName(toOllamaModelName(configured) ?? configured);
      if (!installed.some((m) => modelMatches(name, m.name))) {
        if (await this.ollama.offerPull(name)) return name;
        return undefined;
      }
      return name;
    }
    if (installed.length === 0) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Prompt Loop: no model is installed to suggest rewrites. Pull one (e.g. qwen2.5:7b) with "Prompt Loop: Pull Model".'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      [...installed].sort((a, b) => b.sizeBytes - a.sizeBytes).map((m) => ({ label: shortModelName(m.name), description: [m.parameterSize, m.family].filter(Boolean).join(' · ') })),
      { title: vscode.l10n.t('Which model suggests rewrites?'), placeHolder: vscode.l10n.t('A larger model writes better rewrites; it is remembered in promptLoop.optimizerModel') },
    );
    if (!picked) return undefined;
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration('promptLoop').update('optimizerModel', picked.label, target);
    return picked.label;
  }

  /** Sends the view, at most every 100 ms unless `now`. */
  private post(now = false): void {
    const session = this.session;
    if (!session) return;
    const send = () => {
      this.postTimer = undefined;
      session.view.items = session.items.map((i) => i.view);
      this.panel.post({ type: 'suggestions', suggestions: session.view });
    };
    if (now) {
      clearTimeout(this.postTimer);
      send();
      return;
    }
    this.postTimer ??= setTimeout(send, 100);
  }

  dispose(): void {
    this.stop();
    clearTimeout(this.postTimer);
  }
}

function wordDiff(before: string, after: string): SuggestionView['diff'] {
  return diffWordsWithSpace(before.trim(), after.trim()).map((part) => {
    const entry: SuggestionView['diff'][number] = { value: part.value };
    if (part.added) entry.added = true;
    if (part.removed) entry.removed = true;
    return entry;
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

