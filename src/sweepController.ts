import * as vscode from 'vscode';
import * as path from 'node:path';
import type { TestCase } from './core/cases';
import { caseLabel } from './core/cases';
import type { VariantFamily } from './core/family';
import { variantLabel } from './core/family';
import { modelMatches } from './core/analysis';
import { explicitSetting, formatBytes } from './core/ollamaClient';
import type { InstalledModel } from './core/ollamaClient';
import { folderPartialResolver, renderPrompt, shortModelName, toOllamaModelName } from './core/prompt';
import type { SweepProgress, SweepView } from './core/protocol';
import type { ModelSpeeds } from './core/sweep/estimate';
import { estimateSweep, formatEstimate, recordSpeed } from './core/sweep/estimate';
import { exportRows, toCsv, toJsonl } from './core/sweep/export';
import { loadSweepView } from './core/sweep/history';
import type { SweepPlan, SweepRequest, SweepVariantSource } from './core/sweep/plan';
import { cacheKeyOf, planSweep } from './core/sweep/plan';
import type { PromptStore } from './core/store/promptStore';
import { ownerInfo } from './core/store/promptStore';
import { SweepRun } from './core/sweep/runner';
import type { SchedulerHost } from './core/sweep/scheduler';
import type { FamilyIndex } from './familyIndex';
import { workspaceRootFor } from './familyIndex';
import type { OllamaService } from './ollamaService';
import type { PromptLoopPanel } from './panel/promptLoopPanel';
import type { StoreService } from './storeService';

/** What a sweep runs with; with `skipConfirm` nothing is asked and what is left out takes the remembered choice. */
export interface SweepPreset {
  variants?: string[];
  models?: string[];
  /** 0-based positions in the cases file. */
  cases?: number[];
  temperatures?: number[];
  seeds?: number[];
  repeats?: number;
  /** Ask nothing, not even the final confirmation. */
  skipConfirm?: boolean;
}

/** What is remembered per family: the last sweep's choices. */
type RememberedSweep = Omit<SweepPreset, 'skipConfirm'>;

const rememberKey = (familyId: string) => `promptLoop.sweep:${familyId}`;
const lastSweepKey = 'promptLoop.lastSweep';
const speedsKey = 'promptLoop.modelSpeeds';

/**
 * Runs variant sweeps: asks what to sweep (remembering the answers per family),
 * shows the size and an estimate, runs the sweep engine with a cancellable
 * progress notification, and feeds the panel's results grid.
 */
export class SweepController implements vscode.Disposable {
  private active: { run: SweepRun; family: VariantFamily; root: string; preset: SweepPreset } | undefined;
  private starting = false;
  private shown: { view: SweepView; family: VariantFamily | undefined; root: string; familyId: string } | undefined;
  private readonly finished = new vscode.EventEmitter<SweepView>();
  /** Fires when a sweep has finished or was cancelled. */
  readonly onDidFinishSweep = this.finished.event;
  private panel!: PromptLoopPanel;

  constructor(
    private readonly ollama: OllamaService,
    private readonly families: FamilyIndex,
    private readonly stores: StoreService,
    private readonly memento: vscode.Memento,
    private readonly globalMemento: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  attach(panel: PromptLoopPanel): void {
    this.panel = panel;
  }

  /** The sweep the grid shows. */
  get view(): SweepView | undefined {
    return this.shown?.view;
  }

  get running(): boolean {
    return this.active !== undefined;
  }

  /** The store and family id of the shown sweep. */
  shownFamily(): { root: string; id: string } | undefined {
    return this.shown && { root: this.shown.root, id: this.shown.familyId };
  }

  /** Prompt Loop: Run Variant Sweep. */
  async run(target?: vscode.Uri, preset: SweepPreset = {}): Promise<SweepView | undefined> {
    const family = await this.chooseFamily(target);
    if (!family) return undefined;
    if (this.active) {
      const cancel = vscode.l10n.t('Cancel It and Start');
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Prompt Loop: a sweep of {0} is still running.', this.active.family.name), cancel);
      if (choice !== cancel) return undefined;
      this.active.run.cancel();
    }
    // Between here and the sweep's start there are questions and lookups: a second start
    // (a double click on Run again) must not slip in and send every request twice.
    if (this.starting) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: a sweep is being set up already.'));
      return undefined;
    }
    this.starting = true;
    try {
      return await this.prepareAndRun(family, preset);
    } finally {
      this.starting = false;
    }
  }

  private async prepareAndRun(family: VariantFamily, preset: SweepPreset): Promise<SweepView | undefined> {
    const root = workspaceRootFor(vscode.Uri.file(family.folder));
    const chosen = await this.choose(family, preset);
    if (!chosen) return undefined;
    const { request, hosts, digests } = chosen;

    const store = await this.openStore(root);
    let plan: SweepPlan | undefined;
    for (;;) {
      try {
        plan = await planSweep(request, (variant, input) => this.render(variant, input));
      } catch (error) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Prompt Loop: {0}', error instanceof Error ? error.message : String(error)));
        if (preset.skipConfirm) return undefined;
        plan = undefined;
      }
      if (preset.skipConfirm && plan) break;
      const answer = await this.confirm(request, plan, hosts, digests, store);
      if (answer === 'start' && plan) break;
      if (answer === undefined) return undefined;
      if (answer !== 'start' && !(await editGrid(request, answer))) continue;
    }
    const renderFailures = plan.cells.filter((c) => c.renderError);
    if (renderFailures.length > 0) this.log.warn(`Sweep ${plan.sweepId}: ${renderFailures.length} cells cannot be rendered: ${renderFailures[0].renderError}`);
    await this.memento.update(rememberKey(family.id), {
      variants: request.variants.map((v) => v.variant),
      models: request.models,
      cases: request.cases.map((c) => c.index),
      temperatures: request.grid?.temperatures,
      seeds: request.grid?.seeds,
      repeats: request.repeats,
    } satisfies RememberedSweep);
    return this.execute(plan, family, root, hosts, digests, store, { ...preset, variants: plan.variants, models: plan.models, cases: request.cases.map((c) => c.index), temperatures: request.grid?.temperatures, seeds: request.grid?.seeds, repeats: request.repeats });
  }

  /** Cancels the running sweep; finished cells are kept. */
  cancel(sweepId?: string): void {
    if (this.active && (!sweepId || this.active.run.view.sweepId === sweepId)) this.active.run.cancel();
  }

  /** Runs the shown sweep again with the same choices: unchanged cells come from the cache. */
  async rerun(sweepId?: string): Promise<SweepView | undefined> {
    const shown = this.shown;
    if (!shown || (sweepId && shown.view.sweepId !== sweepId)) throw new Error(vscode.l10n.t('That sweep is no longer shown; run a new sweep.'));
    const family = shown.family ?? (await this.families.all()).find((f) => f.id === shown.familyId);
    if (!family) throw new Error(vscode.l10n.t('The prompt family of that sweep is gone.'));
    const cases = (await this.families.cases(family))?.cases ?? [];
    const params = shown.view.params;
    const preset: SweepPreset = {
      variants: shown.view.variants,
      models: shown.view.models,
      cases: shown.view.cases.map((c) => c.index).filter((i) => cases.some((c) => c.index === i)),
      temperatures: uniqueDefined(params.map((p) => p.temperature)),
      seeds: uniqueDefined(params.map((p) => p.seed)),
      repeats: shown.view.repeats,
      skipConfirm: true,
    };
    return this.run(vscode.Uri.file(family.variants[0].path), preset);
  }

  /** Prompt Loop: Export Results — the shown sweep (or one picked from history) as CSV or JSONL. */
  async export(options: { sweepId?: string; uri?: vscode.Uri } = {}): Promise<vscode.Uri | undefined> {
    let view = this.shown?.view;
    let familyId = this.shown?.familyId;
    let root = this.shown?.root;
    if (!view || (options.sweepId && view.sweepId !== options.sweepId)) {
      const picked = await this.pickStoredSweep(options.sweepId);
      if (!picked) return undefined;
      ({ view, familyId, root } = picked);
    }
    const rootUri = vscode.Uri.file(root ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '.');
    const uri =
      options.uri ??
      (await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export the results of {0}', view.family),
        defaultUri: vscode.Uri.joinPath(rootUri, `${view.family}-${view.sweepId}.csv`),
        filters: { CSV: ['csv'], 'JSON Lines': ['jsonl'] },
      }));
    if (!uri) return undefined;
    let ratings: Map<string, { score: number; comment?: string }> | undefined;
    try {
      const store = await this.stores.forRoot(root ?? rootUri.fsPath);
      ratings = new Map((await store.ratings(familyId ?? view.family)).map((r) => [r.answerKey, { score: r.score, comment: r.comment }]));
    } catch (error) {
      this.log.warn(`Export without ratings: ${this.stores.describe(error)}`);
    }
    const rows = exportRows(view, ratings);
    const text = uri.path.toLowerCase().endsWith('.jsonl') ? toJsonl(rows) : toCsv(rows);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const open = vscode.l10n.t('Open');
    void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: exported {0} rows to {1}.', rows.length, vscode.workspace.asRelativePath(uri)), open).then((choice) => {
      if (choice === open) void vscode.window.showTextDocument(uri);
    });
    return uri;
  }

  /** Copies one cell's answer. */
  async copyCell(sweepId: string, cellId: string): Promise<void> {
    const cell = this.shown?.view.sweepId === sweepId ? this.shown.view.cells.find((c) => c.cellId === cellId) : undefined;
    if (!cell) throw new Error(vscode.l10n.t('That answer is no longer available.'));
    await vscode.env.clipboard.writeText(cell.text);
  }

  /** Brings back the last sweep after a window reload (from the store, not from memory). */
  async restore(): Promise<void> {
    const last = this.memento.get<{ familyId: string; root: string; sweepId: string }>(lastSweepKey);
    if (!last || this.shown) return;
    try {
      const store = await this.stores.forRoot(last.root);
      const view = await loadSweepView(store, last.familyId, last.sweepId);
      if (!view || this.shown) return;
      const family = (await this.families.all()).find((f) => f.id === last.familyId);
      view.familyPath = family ? vscode.workspace.asRelativePath(family.variants[0].path) : last.familyId;
      this.shown = { view, family, root: last.root, familyId: last.familyId };
      this.panel.refreshState();
    } catch (error) {
      this.log.warn(`Could not bring back the last sweep: ${this.stores.describe(error)}`);
    }
  }

  // ------------------------------------------------------------------ running

  private async execute(plan: SweepPlan, family: VariantFamily, root: string, hosts: SchedulerHost[], digests: Map<string, string | undefined>, store: PromptStore | undefined, preset: SweepPreset): Promise<SweepView> {
    const timeoutSeconds = vscode.workspace.getConfiguration('promptLoop').get<number>('requestTimeoutSeconds', 300);
    let speeds = this.globalMemento.get<ModelSpeeds>(speedsKey, {});
    let storeTold = false;
    let lastReport: SweepProgress | undefined;
    let reportProgress: ((p: SweepProgress) => void) | undefined;
    const run = new SweepRun({
      plan,
      hosts,
      digests,
      store,
      owner: ownerInfo(),
      idleTimeoutMs: Math.max(5, timeoutSeconds) * 1000,
      maxRetries: Math.max(0, vscode.workspace.getConfiguration('promptLoop').get<number>('retries', 2)),
      emit: (message) => this.panel.post(message),
      onCellSettled: (cell, progress) => {
        if (cell.status === 'done') speeds = recordSpeed(speeds, cell.model, cell.metrics);
        lastReport = progress;
        reportProgress?.(progress);
      },
      onStoreError: (error) => {
        this.log.error(`Sweep ${plan.sweepId}: store write failed: ${this.stores.describe(error)}`);
        if (!storeTold) {
          storeTold = true;
          void vscode.window.showErrorMessage(vscode.l10n.t('Prompt Loop: answers of this sweep cannot be saved: {0} They stay in the panel until the window closes.', this.stores.describe(error)));
        }
      },
    });
    this.active = { run, family, root, preset };
    // From here `active` guards against a second start (with the offer to cancel this one).
    this.starting = false;
    this.shown = { view: run.view, family, root, familyId: family.id };
    await this.memento.update(lastSweepKey, { familyId: family.id, root, sweepId: plan.sweepId });
    await vscode.commands.executeCommand('setContext', 'promptLoop.sweepRunning', true);
    this.panel.bringForward('sweep');
    this.log.info(`Sweep ${plan.sweepId}: ${family.id}, ${plan.cells.length} cells (${plan.variants.map(variantLabel).join(', ')} × ${plan.models.join(', ')} × ${plan.cases.length} cases × ${plan.params.length} params × ${plan.repeats})`);

    const started = Date.now();
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Sweep {0}', family.name), cancellable: true },
      async (progress, token) => {
        const cancel = token.onCancellationRequested(() => run.cancel());
        let reported = 0;
        reportProgress = (p) => {
          const settled = p.done + p.failed + p.cancelled;
          const percent = (settled / Math.max(1, p.total)) * 100;
          progress.report({ increment: percent - reported, message: describeProgress(p) });
          reported = percent;
        };
        if (lastReport) reportProgress(lastReport);
        try {
          return await run.start();
        } finally {
          cancel.dispose();
        }
      },
    );
    if (this.active?.run === run) {
      this.active = undefined;
      await vscode.commands.executeCommand('setContext', 'promptLoop.sweepRunning', false);
    }
    await this.globalMemento.update(speedsKey, speeds);
    const p = outcome.progress;
    this.log.info(`Sweep ${plan.sweepId} ${outcome.view.state} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${describeProgress(p)}; ${outcome.scheduler.requests} requests, ${outcome.scheduler.retries} retries`);
    this.finished.fire(outcome.view);
    void this.tellOutcome(outcome.view, p);
    return outcome.view;
  }

  /**
   * Says how the sweep ended, and turns failures into the action that fixes
   * them: Ollama not reachable → Retry (resumes: finished cells come from the
   * cache), a model not installed → Pull and resume, other failures → Run Again.
   */
  private async tellOutcome(view: SweepView, p: SweepProgress): Promise<void> {
    const failed = view.cells.filter((c) => c.status === 'failed');
    const kinds = new Set(failed.map((c) => c.error?.kind));
    if (kinds.has('unreachable')) {
      if (await this.ollama.reportUnreachable(this.hostUrls().join(', '), vscode.l10n.t('{0} of {1} cells failed; Retry resumes the sweep', failed.length, p.total))) await this.rerun(view.sweepId);
      return;
    }
    const missing = [...new Set(failed.filter((c) => c.error?.kind === 'modelMissing').map((c) => c.model))];
    if (missing.length > 0) {
      let pulled = false;
      for (const model of missing) if (await this.ollama.offerPull(model)) pulled = true;
      if (pulled) await this.rerun(view.sweepId);
      return;
    }
    const show = vscode.l10n.t('Show Results');
    const again = vscode.l10n.t('Run Again');
    const exportLabel = vscode.l10n.t('Export…');
    if (view.state === 'cancelled' || failed.length > 0) {
      const text = view.state === 'cancelled'
        ? vscode.l10n.t('Prompt Loop: sweep of {0} cancelled: {1}. Run it again to finish the rest; finished cells come from the cache.', view.family, describeProgress(p))
        : vscode.l10n.t('Prompt Loop: sweep of {0} finished with failures: {1}. First failure: {2}', view.family, describeProgress(p), failed[0].error?.message ?? '');
      const choice = await vscode.window.showWarningMessage(text, again, show);
      if (choice === again) await this.rerun(view.sweepId);
      if (choice === show) this.panel.bringForward('sweep', false);
      return;
    }
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: sweep of {0} finished: {1}.', view.family, describeProgress(p)), show, exportLabel);
    if (choice === show) this.panel.bringForward('sweep', false);
    if (choice === exportLabel) await this.export({ sweepId: view.sweepId });
  }

  private async openStore(root: string) {
    try {
      return await this.stores.forRoot(root);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Prompt Loop: the results store cannot be opened ({0}); the sweep runs without a cache and its answers are not saved.', this.stores.describe(error)));
      return undefined;
    }
  }

  /** Renders a variant with the editor's unsaved text when it is open. */
  private async render(variant: SweepVariantSource, input: Record<string, unknown>) {
    const rendered = await renderPrompt(variant.source, input, { resolvePartial: folderPartialResolver(path.dirname(variant.path)) });
    return { messages: rendered.messages, options: rendered.options, format: rendered.format };
  }

  // ------------------------------------------------------------------ choosing

  private async chooseFamily(target?: vscode.Uri): Promise<VariantFamily | undefined> {
    const uri = target ?? (vscode.window.activeTextEditor?.document.languageId === 'dotprompt' ? vscode.window.activeTextEditor.document.uri : undefined);
    if (uri) {
      const family = await this.families.familyOf(uri);
      if (family) return family;
    }
    const all = await this.families.all();
    if (all.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: no .prompt files in this workspace yet. Create one (e.g. summarize.prompt) to sweep its variants.'));
      return undefined;
    }
    if (all.length === 1) return all[0];
    const picked = await vscode.window.showQuickPick(
      all.map((family) => ({ label: family.name, description: family.id, detail: vscode.l10n.t('{0} variants', family.variants.length), family })),
      { title: vscode.l10n.t('Run Variant Sweep'), placeHolder: vscode.l10n.t('Which prompt family?') },
    );
    return picked?.family;
  }

  /** Asks for variants, models, cases and the parameter grid; remembered per family. */
  private async choose(family: VariantFamily, preset: SweepPreset): Promise<{ request: SweepRequest; hosts: SchedulerHost[]; digests: Map<string, string | undefined> } | undefined> {
    const remembered = this.memento.get<RememberedSweep>(rememberKey(family.id)) ?? {};
    const title = (step: number) => vscode.l10n.t('Sweep {0} ({1}/4)', family.name, step);

    // With skipConfirm nothing is asked: what the preset leaves out takes the remembered choice.
    const ask = !preset.skipConfirm;

    // Variants.
    const allVariants = family.variants.map((v) => v.variant);
    let variants = preset.variants ?? (!ask ? (remembered.variants ?? allVariants) : await pickMany(
      family.variants.map((v) => ({ label: variantLabel(v.variant), description: path.basename(v.path), value: v.variant })),
      remembered.variants ?? allVariants,
      { title: title(1), placeHolder: vscode.l10n.t('Which variants? (New Variant adds one)') },
    ));
    if (!variants) return undefined;
    variants = variants.filter((v) => allVariants.includes(v));
    if (variants.length === 0) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Prompt Loop: choose at least one variant of {0} to sweep.', family.name));
      return undefined;
    }

    // Models, from every configured host.
    const hostUrls = this.hostUrls();
    const installed = await this.modelsOn(hostUrls);
    if (!installed) return undefined;
    const available = [...new Map(installed.flatMap(({ models }) => models.map((m) => [m.name, m] as const))).values()];
    const defaults = remembered.models ?? selectedModelsSetting() ?? [];
    let models = preset.models ?? (!ask ? available.filter((m) => defaults.some((d) => modelMatches(d, m.name))).map((m) => m.name) : undefined);
    if (!models) {
      if (available.length === 0) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Prompt Loop: {0} has no models installed. Pull one with "Prompt Loop: Pull Model".', hostUrls.join(', ')));
        return undefined;
      }
      models = await pickMany(
        available.map((m) => ({ label: m.name, description: [m.parameterSize, m.family, m.quantization].filter(Boolean).join(' · '), detail: formatBytes(m.sizeBytes), value: m.name })),
        available.filter((m) => defaults.some((d) => modelMatches(d, m.name))).map((m) => m.name),
        { title: title(2), placeHolder: vscode.l10n.t('Which models? Cells run model by model.') },
      );
      if (!models) return undefined;
    }
    models = [...new Set(models.map((m) => shortModelName(toOllamaModelName(m) ?? m)))];
    if (models.length === 0) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Prompt Loop: choose at least one model to sweep.'));
      return undefined;
    }

    // Cases.
    const parsed = await this.families.cases(family);
    const allCases = parsed?.cases ?? [];
    if (parsed && parsed.problems.length > 0) this.log.warn(`${parsed.uri.fsPath}: ${parsed.problems.map((p) => `line ${p.line + 1}: ${p.message}`).join('; ')}`);
    let caseIndexes = preset.cases ?? (!ask ? (remembered.cases ?? allCases.map((c) => c.index)) : undefined);
    if (!caseIndexes && allCases.length > 0) {
      caseIndexes = await pickMany(
        allCases.map((c) => ({ label: caseLabel(c), value: c.index })),
        remembered.cases ?? allCases.map((c) => c.index),
        { title: title(3), placeHolder: vscode.l10n.t('Which test cases? (none = the frontmatter defaults)') },
      );
      if (!caseIndexes) return undefined;
    }
    const cases: TestCase[] = allCases.filter((c) => (caseIndexes ?? []).includes(c.index));

    const request: SweepRequest = {
      family: { id: family.id, name: family.name, path: vscode.workspace.asRelativePath(family.variants[0].path) },
      variants: await Promise.all(variants.map((variant) => this.variantSource(family, variant))),
      models,
      cases,
      grid: { temperatures: preset.temperatures ?? remembered.temperatures, seeds: preset.seeds ?? remembered.seeds },
      repeats: preset.repeats ?? remembered.repeats ?? 1,
    };
    const slots = Math.max(1, vscode.workspace.getConfiguration('promptLoop').get<number>('parallelRequests', 1));
    const hosts: SchedulerHost[] = installed.map(({ url, models: list }) => ({ url, client: this.ollama.client(url), slots, models: list.map((m) => m.name) }));
    const digests = new Map<string, string | undefined>();
    for (const model of models) digests.set(model, available.find((m) => modelMatches(model, m.name))?.digest);
    return { request, hosts, digests };
  }

  /**
   * The last step: the sweep's size and estimated time, with the parameter grid
   * and repeats editable in place. Resolves 'start', a grid field to edit, or
   * undefined when the user backs out.
   */
  private async confirm(request: SweepRequest, plan: SweepPlan | undefined, hosts: SchedulerHost[], digests: Map<string, string | undefined>, store: PromptStore | undefined): Promise<'start' | GridField | undefined> {
    type Item = vscode.QuickPickItem & { action: 'start' | GridField };
    const items: Item[] = [];
    if (plan) {
      const keys = plan.cells.flatMap((c) => (c.request && digests.get(c.model) ? [cacheKeyOf({ ...c, request: c.request }, digests.get(c.model), plan.family)] : []));
      let cached = 0;
      try {
        if (store) cached = [...(await store.getAnswers(keys)).values()].filter((a) => a.status === 'done').length;
      } catch {
        // The runner will say it; here it only changes the estimate.
      }
      const perModel = new Map<string, number>();
      for (const cell of plan.cells) perModel.set(cell.model, (perModel.get(cell.model) ?? 0) + 1);
      const toRequest = plan.cells.length - cached;
      const scale = plan.cells.length > 0 ? toRequest / plan.cells.length : 0;
      for (const [model, count] of perModel) perModel.set(model, Math.round(count * scale));
      const estimate = estimateSweep(perModel, this.globalMemento.get<ModelSpeeds>(speedsKey, {}), hosts[0]?.slots ?? 1, hosts.length);
      const detail = cached > 0
        ? vscode.l10n.t('{0} from the cache, {1} requests, {2}', cached, toRequest, formatEstimate(estimate.ms))
        : vscode.l10n.t('{0} requests, {1}', toRequest, formatEstimate(estimate.ms));
      const guessed = estimate.guessed.length ? vscode.l10n.t(' (no speed measured yet for {0})', estimate.guessed.join(', ')) : '';
      items.push({
        label: '$(play) ' + vscode.l10n.t('Start sweep: {0} cells', plan.cells.length),
        description: vscode.l10n.t('{0} variants × {1} models × {2} cases × {3} params × {4} repeats', plan.variants.length, plan.models.length, plan.cases.length, plan.params.length, plan.repeats),
        detail: detail + guessed,
        action: 'start',
      });
    }
    const list = (values: number[] | undefined, none: string) => (values?.length ? values.join(', ') : none);
    items.push(
      { label: '$(flame) ' + vscode.l10n.t('Temperatures: {0}', list(request.grid?.temperatures, vscode.l10n.t('as in each prompt'))), description: vscode.l10n.t('a grid of temperatures, e.g. 0, 0.5, 1'), action: 'temperatures' },
      { label: '$(symbol-number) ' + vscode.l10n.t('Seeds: {0}', list(request.grid?.seeds, vscode.l10n.t('none'))), description: vscode.l10n.t('fixed seeds make answers reproducible'), action: 'seeds' },
      { label: '$(debug-restart) ' + vscode.l10n.t('Repeats per cell: {0}', request.repeats ?? 1), description: vscode.l10n.t('more than 1 shows how consistent answers are'), action: 'repeats' },
    );
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Sweep {0} (4/4)', request.family.name),
      placeHolder: plan ? vscode.l10n.t('Start, or change the parameter grid and repeats') : vscode.l10n.t('Change the parameter grid or repeats'),
      ignoreFocusOut: true,
    });
    return picked?.action;
  }

  private hostUrls(): string[] {
    const inspected = vscode.workspace.getConfiguration('promptLoop').inspect<string[]>('ollamaHosts');
    const configured = (explicitSetting(inspected, vscode.workspace.isTrusted) ?? []).map((h) => h.trim()).filter(Boolean);
    return configured.length > 0 ? [...new Set(configured)] : [this.ollama.host];
  }

  /** The installed models of each host; asks Retry/Open Settings when none answers. */
  private async modelsOn(urls: string[]): Promise<{ url: string; models: InstalledModel[] }[] | undefined> {
    for (;;) {
      const results = await Promise.all(urls.map(async (url) => {
        try {
          return { url, models: await this.ollama.models({ refresh: true, host: url }) };
        } catch {
          return { url, models: undefined };
        }
      }));
      const reachable = results.filter((r): r is { url: string; models: InstalledModel[] } => r.models !== undefined);
      const down = results.filter((r) => r.models === undefined).map((r) => r.url);
      if (down.length > 0) this.log.warn(`Sweep: not reachable: ${down.join(', ')}`);
      if (reachable.length > 0) return reachable;
      if (!(await this.ollama.reportUnreachable(down.join(', ')))) return undefined;
    }
  }

  private async variantSource(family: VariantFamily, variant: string): Promise<SweepVariantSource> {
    const file = family.variants.find((v) => v.variant === variant)!;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file.path);
    const source = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file.path)));
    return { variant, source, path: file.path };
  }

  private async pickStoredSweep(sweepId?: string): Promise<{ view: SweepView; familyId: string; root: string } | undefined> {
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const runs: { root: string; family: string; runId: string; createdAt: number; label: string }[] = [];
    for (const root of roots) {
      try {
        const store = await this.stores.forRoot(root);
        for (const run of await store.listRuns()) {
          if (run.kind !== 'sweep' || (sweepId && run.runId !== sweepId)) continue;
          runs.push({ root, family: run.family, runId: run.runId, createdAt: run.createdAt, label: `${run.family} · ${new Date(run.createdAt).toLocaleString()}` });
        }
      } catch (error) {
        this.log.warn(`Listing sweeps in ${root}: ${this.stores.describe(error)}`);
      }
    }
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: no sweep to export yet. Run one with "Prompt Loop: Run Variant Sweep".'));
      return undefined;
    }
    runs.sort((a, b) => b.createdAt - a.createdAt);
    const picked = runs.length === 1 ? runs[0] : (await vscode.window.showQuickPick(runs.map((r) => ({ label: r.label, description: r.runId, run: r })), { placeHolder: vscode.l10n.t('Which sweep?') }))?.run;
    if (!picked) return undefined;
    const view = await loadSweepView(await this.stores.forRoot(picked.root), picked.family, picked.runId);
    return view && { view, familyId: picked.family, root: picked.root };
  }

  dispose(): void {
    this.active?.run.cancel();
    this.finished.dispose();
  }
}

/** "12 of 24 done · 6 cached · 1 failed" */
export function describeProgress(p: SweepProgress): string {
  const parts = [vscode.l10n.t('{0} of {1} done', p.done, p.total)];
  if (p.cached) parts.push(vscode.l10n.t('{0} cached', p.cached));
  if (p.failed) parts.push(vscode.l10n.t('{0} failed', p.failed));
  if (p.cancelled) parts.push(vscode.l10n.t('{0} cancelled', p.cancelled));
  return parts.join(' · ');
}

function uniqueDefined(values: (number | undefined)[]): number[] | undefined {
  const set = [...new Set(values.filter((v): v is number => v !== undefined))];
  return set.length ? set : undefined;
}

function selectedModelsSetting(): string[] | undefined {
  const configured = vscode.workspace.getConfiguration('promptLoop').get<string[]>('models', []);
  return configured.length ? configured : undefined;
}

/** A multi-select quick pick with some items picked; resolves the chosen values or undefined on Escape. */
async function pickMany<T>(items: (vscode.QuickPickItem & { value: T })[], picked: readonly T[], options: { title: string; placeHolder: string }): Promise<T[] | undefined> {
  const chosen = await vscode.window.showQuickPick(
    items.map((item) => ({ ...item, picked: picked.includes(item.value) })),
    { ...options, canPickMany: true, ignoreFocusOut: true },
  );
  return chosen?.map((c) => c.value);
}

type GridField = 'temperatures' | 'seeds' | 'repeats';

/** Asks a new value for one grid field; false when the user backs out. */
async function editGrid(request: SweepRequest, field: GridField): Promise<boolean> {
  if (field === 'repeats') {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Repeats per cell'),
      value: String(request.repeats ?? 1),
      validateInput: (text) => (/^\s*\d+\s*$/.test(text) && Number(text) >= 1 && Number(text) <= 100 ? undefined : vscode.l10n.t('A whole number from 1 to 100')),
    });
    if (value === undefined) return false;
    request.repeats = Number(value);
    return true;
  }
  const isSeed = field === 'seeds';
  const value = await vscode.window.showInputBox({
    title: isSeed ? vscode.l10n.t('Seeds (comma-separated; empty = none)') : vscode.l10n.t('Temperatures (comma-separated; empty = as in each prompt)'),
    value: (request.grid?.[field] ?? []).join(', '),
    placeHolder: isSeed ? '1, 2, 3' : '0, 0.7, 1.2',
    validateInput: (text) => {
      const parsed = parseNumberList(text);
      if (!parsed) return vscode.l10n.t('Numbers separated by commas');
      if (isSeed && parsed.some((n) => !Number.isInteger(n))) return vscode.l10n.t('Seeds are whole numbers');
      if (!isSeed && parsed.some((n) => n < 0 || n > 5)) return vscode.l10n.t('Temperatures go from 0 to 5 (usually 0 to 1.5)');
      if (parsed.length > 20) return vscode.l10n.t('At most 20 values');
      return undefined;
    },
  });
  if (value === undefined) return false;
  request.grid = { ...request.grid, [field]: parseNumberList(value) ?? [] };
  return true;
}

/** "0, 0.5,1" → [0, 0.5, 1]; "" → []; anything else → undefined. */
export function parseNumberList(text: string): number[] | undefined {
  const parts = text.split(/[,\s]+/).filter(Boolean);
  const numbers = parts.map(Number);
  return numbers.every((n) => Number.isFinite(n)) ? numbers : undefined;
}
