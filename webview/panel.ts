/**
 * The Prompt Loop panel: header and actions, the view switcher, and six views:
 * the single run (messages view, one column per model), the sweep results grid,
 * the variant diff, the scores, blind A/B and the suggested rewrites; plus the
 * inline status line and the screen-reader live region. It renders what the
 * host sends and keeps only view choices of its own, and the one map of
 * ratings every view reads (with the user's changes on their way).
 */
import * as l10n from '@vscode/l10n';
import type { AnswerView, ChatMessageView, HostToWebview, PanelState, PanelViewName, RunView } from '../src/core/protocol';
import { AnswerColumn, type ColumnHost } from './answerColumn';
import { BlindView } from './blindView';
import { VariantDiff } from './diffView';
import { codicon, custom, fill, h, replaceChildren } from './dom';
import { suggestionActionFailure } from './feedbackModel';
import { isActive, sweepShape, variantName } from './format';
import type { HostConnection, ReplyMessage, WebviewRequest } from './hostConnection';
import { isTextEntry } from './ratingBar';
import { normaliseValue, ratingAnnouncement, ratingKey, RatingStore, type RatingValue, type ShownRating } from './ratingStore';
import { ScoresView } from './scoresView';
import { SuggestionsView } from './suggestionsView';
import { SweepResults } from './sweepResults';
import { resolveView, type UiState } from './uiState';

const viewOrder: readonly PanelViewName[] = ['run', 'sweep', 'diff', 'scores', 'blind', 'suggestions'];

// The tables of words are functions: they are read when drawn, after main.ts configured l10n.

/** A view's switcher button, and what the live region says when the user switches to it. */
function viewButtonText(view: PanelViewName): { label: string; icon: string; title: string; announcement: string } {
  switch (view) {
    case 'run':
      return { label: l10n.t('Run'), icon: 'split-horizontal', title: l10n.t('The latest run: one column per model'), announcement: l10n.t('Run view') };
    case 'sweep':
      return { label: l10n.t('Sweep'), icon: 'table', title: l10n.t('The latest sweep: the results grid'), announcement: l10n.t('Sweep view') };
    case 'diff':
      return { label: l10n.t('Diff'), icon: 'diff', title: l10n.t('The latest variant comparison'), announcement: l10n.t('Diff view') };
    case 'scores':
      return { label: l10n.t('Scores'), icon: 'graph', title: l10n.t('What the ratings say: mean scores with intervals, blind A/B strengths'), announcement: l10n.t('Scores view') };
    case 'blind':
      return { label: l10n.t('Blind'), icon: 'eye-closed', title: l10n.t('Blind A/B: judge two answers without knowing who wrote them'), announcement: l10n.t('Blind view') };
    case 'suggestions':
      return { label: l10n.t('Suggestions'), icon: 'lightbulb-sparkle', title: l10n.t('Rewrites of the prompt suggested by the optimizer model'), announcement: l10n.t('Suggestions view') };
  }
}

/** What the status line says when the host refuses a request. */
function failureWording(type: WebviewRequest['type']): string {
  switch (type) {
    case 'ready':
      return l10n.t('The panel could not connect to Prompt Loop');
    case 'stop':
      return l10n.t('Could not stop the run');
    case 'rerun':
      return l10n.t('Could not run again');
    case 'selectModels':
      return l10n.t('Could not select models');
    case 'showRenderedPrompt':
      return l10n.t('Could not show the rendered prompt');
    case 'openLink':
      return l10n.t('Could not open the link');
    case 'copyAnswer':
    case 'copyCell':
      return l10n.t('Could not copy the answer');
    case 'cancelSweep':
      return l10n.t('Could not cancel the sweep');
    case 'rerunSweep':
      return l10n.t('Could not run the sweep again');
    case 'exportSweep':
      return l10n.t('Could not export the sweep');
    case 'openDiffEditor':
      return l10n.t('Could not open the diff editor');
    case 'rate':
      return l10n.t('Could not save the rating');
    case 'clearRating':
      return l10n.t('Could not clear the rating');
    case 'blindVerdict':
      return l10n.t('Could not save the verdict');
    case 'blindSkip':
      return l10n.t('Could not skip the pair');
    case 'startBlind':
      return l10n.t('Could not start the blind comparison');
    case 'suggestRewrites':
      return l10n.t('Could not start suggesting rewrites');
    case 'stopSuggestions':
      return l10n.t('Could not stop the optimizer');
    case 'suggestionAction':
      return l10n.t('Could not act on the suggestion');
  }
}

export class Panel implements ColumnHost {
  private run: RunView | undefined;
  private previousRun: RunView | undefined;
  private running = false;
  private received = false;
  private columns: AnswerColumn[] = [];
  private readonly byAnswerId = new Map<string, AnswerColumn>();
  private readonly dirty = new Set<AnswerColumn>();
  private frame: number | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private connection: HostConnection | undefined;
  private view: PanelViewName = 'run';
  private readonly sweepResults: SweepResults;
  private readonly variantDiff: VariantDiff;
  private readonly scoresView: ScoresView;
  private readonly blindView: BlindView;
  private readonly suggestionsView: SuggestionsView;
  private readonly ratings = new RatingStore();

  private readonly promptName: HTMLElement;
  private readonly inputLabel: HTMLElement;
  private readonly runSummary: HTMLElement;
  private readonly runningRing: HTMLElement;
  private readonly rerunButton: HTMLElement;
  private readonly stopButton: HTMLElement;
  private readonly modelsButton: HTMLElement;
  private readonly messagesButton: HTMLElement;
  private readonly runActions: HTMLElement;
  private readonly viewSwitcher: HTMLElement;
  private readonly viewButtons: Record<PanelViewName, HTMLElement>;
  private readonly runView: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly messagesView: HTMLElement;
  private readonly columnsEl: HTMLElement;
  private readonly emptyState: HTMLElement;
  private readonly liveRegion: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly ui: UiState,
    private readonly persist: (state: UiState) => void,
  ) {
    this.promptName = h('h1', { className: 'prompt-name' });
    this.inputLabel = h('span', { className: 'input-label' });
    this.runSummary = h('span', { className: 'run-summary' });
    this.runningRing = custom('vscode-progress-ring', { className: 'running-ring', attrs: { 'aria-hidden': 'true', 'aria-live': 'off', role: 'presentation', hidden: '' } });
    this.rerunButton = this.button('rerun', l10n.t('Run again'), 'debug-rerun', l10n.t('Run the prompt again with the same input and models'), false);
    this.stopButton = this.button('stop', l10n.t('Stop'), 'debug-stop', l10n.t('Stop the answers still running (partial text is kept)'), true);
    this.modelsButton = this.button('selectModels', l10n.t('Models…'), 'server-environment', l10n.t('Choose the models to compare'), true);
    this.messagesButton = this.button('toggleMessages', l10n.t('Messages'), 'list-flat', l10n.t('Show the exact messages, options and format sent to Ollama'), true);
    this.messagesButton.setAttribute('aria-controls', 'messages-view');

    this.statusLine = h('div', { className: 'status-line', attrs: { hidden: '' } });
    this.messagesView = h('section', { className: 'messages-view', attrs: { id: 'messages-view', 'aria-label': l10n.t('Messages sent'), hidden: '' } });
    this.columnsEl = h('div', { className: 'columns', attrs: { role: 'region', 'aria-label': l10n.t('Answers') } });
    this.columnsEl.addEventListener('scroll', () => {
      this.ui.columnsScroll = this.columnsEl.scrollLeft;
      this.saveSoon();
    }, { passive: true });
    this.emptyState = h('div', { className: 'empty-state', attrs: { hidden: '' } });
    this.liveRegion = h('div', { className: 'sr-only', attrs: { 'aria-live': 'polite', role: 'status' } });
    this.runView = h('div', { className: 'run-view', attrs: { 'data-view': 'run' } }, [this.messagesView, this.columnsEl, this.emptyState]);
    this.sweepResults = new SweepResults(ui.sweep, {
      post: (request) => this.post(request),
      openLink: (href) => this.openLink(href),
      announce: (text) => this.announce(text),
      saveSoon: () => this.saveSoon(),
      shownRating: (answerKey) => this.shownRating(answerKey),
      rate: (answerKey, value) => this.rate(answerKey, value),
      clearRating: (answerKey) => this.clearRating(answerKey),
    });
    this.variantDiff = new VariantDiff({ openDiffEditor: () => this.post({ type: 'openDiffEditor' }) });
    this.scoresView = new ScoresView({ post: (request) => this.post(request) });
    this.blindView = new BlindView({
      post: (request) => this.post(request),
      openLink: (href) => this.openLink(href),
      announce: (text) => this.announce(text),
      draft: (pairId) => (this.ui.blindComment?.pairId === pairId ? this.ui.blindComment.text : undefined),
      saveDraft: (pairId, text) => {
        this.ui.blindComment = text === '' ? undefined : { pairId, text };
        this.saveSoon();
      },
    });
    this.suggestionsView = new SuggestionsView({ post: (request) => this.post(request), openLink: (href) => this.openLink(href) });

    this.viewButtons = {
      run: this.viewButton('run'),
      sweep: this.viewButton('sweep'),
      diff: this.viewButton('diff'),
      scores: this.viewButton('scores'),
      blind: this.viewButton('blind'),
      suggestions: this.viewButton('suggestions'),
    };
    this.viewSwitcher = h('div', { className: 'view-switcher segmented', attrs: { role: 'group', 'aria-label': l10n.t('View'), hidden: '' } }, viewOrder.map((v) => this.viewButtons[v]));
    this.runActions = h('div', { className: 'actions', attrs: { role: 'toolbar', 'aria-label': l10n.t('Run actions') } }, [this.rerunButton, this.stopButton, this.modelsButton, this.messagesButton]);
    const header = h('header', { className: 'panel-header' }, [
      h('div', { className: 'title' }, [
        h('div', { className: 'title-line' }, [codicon('sparkle', 'title-icon'), this.promptName]),
        h('div', { className: 'subtitle' }, [this.inputLabel, h('span', { className: 'run-state' }, [this.runningRing, this.runSummary])]),
      ]),
      h('div', { className: 'header-end' }, [this.viewSwitcher, this.runActions]),
    ]);
    replaceChildren(root, [header, this.statusLine, this.runView, this.sweepResults.el, this.variantDiff.el, this.scoresView.el, this.blindView.el, this.suggestionsView.el, this.liveRegion]);
    root.addEventListener('keydown', (event) => this.onKeyDown(event));
    root.addEventListener('focusin', (event) => {
      const column = this.columnOf(event.target);
      if (column && this.ui.focusedModel !== column.model) {
        this.ui.focusedModel = column.model;
        this.saveSoon();
      }
    });
    this.render();
  }

  /** The connection is made after the panel so replies can reach it. */
  connect(connection: HostConnection): void {
    this.connection = connection;
  }

  /**
   * The view a replayed state wanted but could not show yet (its data comes in a
   * later message, e.g. the scores after a reload): shown when its data arrives,
   * unless the user picked a view in the meantime.
   */
  private pendingView: PanelViewName | undefined;

  handle(message: HostToWebview): void {
    switch (message.type) {
      case 'state':
        this.applyState(message.state);
        break;
      case 'runStarted':
        this.startRun(message.run, message.previousRun);
        break;
      case 'chunks':
        if (message.runId !== this.run?.runId) return;
        for (const chunk of message.chunks) {
          const column = this.byAnswerId.get(chunk.answerId);
          if (!column) continue;
          column.appendChunk(chunk.text, chunk.thinking);
          this.dirty.add(column);
        }
        this.scheduleFrame();
        break;
      case 'answerUpdated': {
        if (message.runId !== this.run?.runId) return;
        const column = this.byAnswerId.get(message.answerId);
        if (!column) return;
        // Draw text that arrived before this status change first, so the final render is complete.
        this.dirty.delete(column);
        const announcement = column.update(message.status, message.error, message.metrics, message.answerKey);
        if (announcement) this.announce(announcement);
        this.renderHeader();
        break;
      }
      case 'runFinished': {
        if (message.runId !== this.run?.runId) return;
        this.running = false;
        this.renderHeader();
        const answers = this.columns.map((c) => c.answer);
        const failed = answers.filter((a) => a.status === 'failed').length;
        this.announce(failed
          ? l10n.t('Run finished: {0} of {1} answered, {2} failed', answers.length - failed, answers.length, failed)
          : l10n.t('Run finished: {0} of {1} answered', answers.length, answers.length));
        break;
      }
      case 'sweepStarted':
        this.received = true;
        this.sweepResults.load(message.sweep, false);
        this.announce(message.sweep.cells.length === 1 ? l10n.t('Sweep started: 1 request') : l10n.t('Sweep started: {0} requests', message.sweep.cells.length));
        this.showView('sweep', 'host');
        break;
      case 'sweepCells':
        this.sweepResults.applyCells(message);
        break;
      case 'sweepFinished':
        this.sweepResults.finish(message);
        this.renderHeader();
        break;
      case 'variantDiff':
        this.received = true;
        this.variantDiff.show(message.diff);
        // The user asked for this comparison: show it (the host's own choice is left as it was).
        this.showView('diff', 'data');
        break;
      case 'showView':
        this.showView(message.view, 'host');
        break;
      case 'ratings':
        this.ratings.applyHost(message.ratings, message.removed);
        this.ratingsChanged();
        break;
      case 'scores':
        this.received = true;
        this.scoresView.show(message.scores);
        this.renderHeader();
        this.showPendingView();
        break;
      case 'blindPair':
        this.received = true;
        this.blindView.show(message.pair, message.message);
        // Pairs come only when the user asked (Compare blind, a verdict, a skip): show them.
        this.showView('blind', 'data');
        break;
      case 'suggestions': {
        this.received = true;
        const isNew = message.suggestions.sessionId !== this.suggestionsView.current?.sessionId;
        this.suggestionsView.show(message.suggestions);
        // A new session was asked for: bring it forward; later updates stream in where they are.
        if (isNew) this.showView('suggestions', 'data');
        else this.renderHeader();
        // After the switch: disabling the focused "Suggest rewrites" first would drop the focus the switch moves on.
        this.scoresView.setSuggesting(message.suggestions.state === 'running');
        break;
      }
      case 'reply':
        this.connection?.handleReply(message);
        break;
    }
  }

  /** Called by the connection for each reply to a request of ours. */
  onReply(request: WebviewRequest, reply: ReplyMessage): void {
    if (request.type === 'rate' || request.type === 'clearRating') {
      // Confirmed or rolled back: either way the views show the map again.
      if (reply.ok) this.ratings.acknowledge(reply.requestId);
      else this.ratings.reject(reply.requestId);
      this.ratingsChanged();
    }
    if ((request.type === 'blindVerdict' || request.type === 'blindSkip') && !reply.ok) this.blindView.failed(request.pairId);
    if (request.type === 'suggestionAction') this.suggestionsView.settled(request.suggestionId);
    if (!reply.ok) {
      const wording = request.type === 'suggestionAction' ? suggestionActionFailure(request.action) : failureWording(request.type);
      this.showStatus('error', l10n.t('{0}: {1}', wording, reply.error));
      return;
    }
    if (request.type === 'copyAnswer') {
      const model = this.columns.find((c) => c.answer.answerId === request.answerId)?.model ?? this.previousRun?.answers.find((a) => a.answerId === request.answerId)?.model;
      this.showStatus('info', model ? l10n.t('Copied the answer from {0}', model) : l10n.t('Copied the answer'), 2500);
    }
    if (request.type === 'copyCell') {
      const sweep = this.sweepResults.sweep;
      const cell = sweep?.sweepId === request.sweepId ? sweep.cellById(request.cellId) : undefined;
      if (!cell) {
        this.showStatus('info', l10n.t('Copied the answer'), 2500);
        return;
      }
      const caseLabel = sweep?.cases[cell.caseIndex]?.label ?? l10n.t('case {0}', cell.caseIndex + 1);
      this.showStatus('info', sweep && sweep.repeats > 1
        ? l10n.t('Copied the answer ({0} · {1} on {2} · run {3})', caseLabel, variantName(cell.variant), cell.model, cell.repeat + 1)
        : l10n.t('Copied the answer ({0} · {1} on {2})', caseLabel, variantName(cell.variant), cell.model), 2500);
    }
  }

  // ColumnHost and the rating map every view reads

  shownRating(answerKey: string): ShownRating {
    return this.ratings.shown(answerKey);
  }

  /** Posts a rating and shows it at once; the host's `ratings` message (or an error reply) settles it. */
  rate(answerKey: string, value: RatingValue): void {
    const rating = normaliseValue(value);
    const requestId = this.post({ type: 'rate', answerKey, score: rating.score, ...(rating.comment ? { comment: rating.comment } : {}), ...(rating.tags ? { tags: rating.tags } : {}) });
    if (requestId === undefined) return;
    this.ratings.propose(requestId, answerKey, rating);
    this.ratingsChanged();
    this.announce(ratingAnnouncement(rating));
  }

  clearRating(answerKey: string): void {
    const requestId = this.post({ type: 'clearRating', answerKey });
    if (requestId === undefined) return;
    this.ratings.propose(requestId, answerKey, null);
    this.ratingsChanged();
    this.announce(l10n.t('Rating cleared'));
  }

  copy(runId: string, answerId: string): void {
    this.post({ type: 'copyAnswer', runId, answerId });
  }

  openLink(href: string): void {
    this.post({ type: 'openLink', href });
  }

  rawChanged(model: string, raw: boolean): void {
    const set = new Set(this.ui.rawModels);
    if (raw) set.add(model);
    else set.delete(model);
    this.ui.rawModels = [...set];
    this.saveSoon();
  }

  scrolled(model: string, top: number): void {
    this.ui.answerScroll[model] = top;
    this.saveSoon();
  }

  requestFlush(column: AnswerColumn): void {
    this.dirty.add(column);
    this.scheduleFrame();
  }

  // Messages from the host

  private applyState(state: PanelState): void {
    const firstState = !this.received;
    this.received = true;
    this.ratings.load(state.ratings);
    this.run = state.run;
    this.previousRun = state.previousRun;
    this.running = state.running;
    const hadFocus = this.columnOf(document.activeElement) !== undefined;
    this.buildColumns();
    this.render();
    // After a reload the host replays its state: put the reader back where they were.
    for (const column of this.columns) {
      const top = this.ui.answerScroll[column.model];
      if (top !== undefined) column.scrollTo(top);
    }
    this.columnsEl.scrollLeft = this.ui.columnsScroll;

    const gridHadFocus = this.sweepResults.el.contains(document.activeElement);
    if (state.sweep) this.sweepResults.load(state.sweep, true);
    else this.sweepResults.clear();
    this.variantDiff.show(state.diff);
    this.scoresView.show(state.scores);
    if (state.blind) this.blindView.show(state.blind);
    else this.blindView.clear();
    this.suggestionsView.show(state.suggestions);
    this.scoresView.setSuggesting(state.suggestions?.state === 'running');
    this.ratingsChanged();
    // A view still pending from an earlier replay outranks the fallback that replay showed.
    const wanted = this.pendingView ?? this.ui.view;
    const view = resolveView({ ...this.ui, view: wanted }, state.view, this.availableViews());
    if (state.view !== undefined) this.ui.hostView = state.view;
    this.showView(view, 'restore');
    this.pendingView = wanted !== undefined && wanted !== view && (state.view === undefined || state.view === wanted) ? wanted : undefined;
    if (view === 'run' && (firstState || hadFocus)) this.restoreFocus(hadFocus);
    if (view === 'sweep' && (firstState || gridHadFocus) && (gridHadFocus || document.hasFocus()) && this.ui.sweep.activeCell !== undefined) this.sweepResults.focusGrid();
  }

  private startRun(run: RunView, previousRun: RunView | undefined): void {
    this.received = true;
    const hadFocus = this.columnOf(document.activeElement) !== undefined;
    // Without an explicit previous run, the answers on screen (same prompt) stand in until new text arrives.
    const current = this.run;
    const fallback = current && current.runId !== run.runId && current.promptPath === run.promptPath
      ? { ...current, answers: this.columns.map((c) => ({ ...c.answer })) }
      : undefined;
    this.run = run;
    this.previousRun = previousRun ?? fallback;
    this.running = true;
    this.ui.answerScroll = {};
    this.saveSoon();
    this.buildColumns();
    this.render();
    this.showView('run', 'data');
    if (hadFocus) this.restoreFocus(true);
  }

  // Rendering

  private buildColumns(): void {
    for (const column of this.columns) column.dispose();
    this.columns = [];
    this.byAnswerId.clear();
    this.dirty.clear();
    const run = this.run;
    if (!run) {
      this.columnsEl.replaceChildren();
      return;
    }
    const raw = new Set(this.ui.rawModels);
    for (const answer of run.answers) {
      // Copies, so appending chunks never mutates what the host object graph holds.
      const current: AnswerView = { ...answer, metrics: answer.metrics ? { ...answer.metrics } : undefined };
      const previous = this.previousAnswerFor(answer);
      const column = new AnswerColumn(run.runId, current, previous && this.previousRun ? { runId: this.previousRun.runId, answer: previous } : undefined, raw.has(answer.model), this);
      this.columns.push(column);
      this.byAnswerId.set(answer.answerId, column);
    }
    this.columnsEl.replaceChildren(...this.columns.map((c) => c.el));
    this.columnsEl.style.setProperty('--column-count', String(this.columns.length));
  }

  private previousAnswerFor(answer: AnswerView): AnswerView | undefined {
    const answers = this.previousRun?.answers ?? [];
    return answers.find((a) => a.model === answer.model && a.host === answer.host) ?? answers.find((a) => a.model === answer.model);
  }

  private render(): void {
    const run = this.run;
    this.root.dataset.running = String(this.running);
    this.columnsEl.hidden = !run;
    this.emptyState.hidden = run !== undefined;
    if (!run) this.renderEmptyState();
    this.renderHeader();
    this.renderMessages();
  }

  private renderHeader(): void {
    const available = this.availableViews();
    this.viewSwitcher.hidden = available.size < 2;
    for (const view of viewOrder) {
      const button = this.viewButtons[view];
      button.hidden = !available.has(view);
      button.setAttribute('aria-pressed', String(view === this.view));
    }
    this.runActions.hidden = this.view !== 'run';
    this.renderRunHeader();
    this.renderViewTitle();
  }

  /** The run's title, summary and actions (kept current in every view: the actions are hidden outside the run view). */
  private renderRunHeader(): void {
    const run = this.run;
    this.promptName.textContent = run ? run.promptName : l10n.t('Prompt Loop');
    this.promptName.title = run?.promptPath ?? '';
    if (run) {
      replaceChildren(this.inputLabel, [codicon('symbol-variable'), h('span', { text: run.inputLabel })]);
      this.inputLabel.title = l10n.t('Input: {0}', run.inputLabel);
    } else {
      this.inputLabel.replaceChildren();
    }
    this.inputLabel.hidden = !run;

    const answers = this.columns.map((c) => c.answer);
    const finished = answers.filter((a) => !isActive(a.status)).length;
    const failed = answers.filter((a) => a.status === 'failed').length;
    const running = this.running || answers.some((a) => isActive(a.status));
    let summary = '';
    if (run && answers.length > 0) {
      const one = answers.length === 1;
      const parts = [running ? l10n.t('{0} of {1} finished', finished, answers.length) : one ? l10n.t('1 answer') : l10n.t('{0} answers', answers.length)];
      if (failed > 0) parts.push(l10n.t('{0} failed', failed));
      parts.push(one ? l10n.t('1 model') : l10n.t('{0} models', answers.length));
      summary = parts.join(' · ');
    }
    this.runSummary.textContent = summary;
    this.runSummary.hidden = summary === '';
    this.runningRing.hidden = !running;

    this.root.dataset.running = String(this.running);
    // With nothing run yet, only "Models…" means anything.
    this.rerunButton.hidden = !run;
    this.messagesButton.hidden = !run;
    setDisabled(this.rerunButton, !run || this.running);
    this.stopButton.hidden = !this.running;
    setDisabled(this.stopButton, !this.running);
    setDisabled(this.messagesButton, !run);
    this.messagesButton.setAttribute('aria-expanded', String(this.ui.messagesOpen && run !== undefined));
    this.messagesButton.toggleAttribute('data-active', this.ui.messagesOpen && run !== undefined);
  }

  /** Outside the run view the title says what the sweep, the diff, the scores, the pair or the suggestions are about. */
  private renderViewTitle(): void {
    const sweep = this.sweepResults.sweep;
    const diff = this.variantDiff.current;
    const scores = this.scoresView.current;
    const pair = this.blindView.current;
    const suggestions = this.suggestionsView.current;
    if (this.view === 'scores' && scores) {
      this.promptName.textContent = scores.family;
      this.promptName.title = '';
      replaceChildren(this.inputLabel, [codicon('graph'), h('span', { text: l10n.t('Scores from your ratings') })]);
      this.inputLabel.title = '';
    } else if (this.view === 'blind' && this.blindView.hasData) {
      this.promptName.textContent = pair?.family ?? scores?.family ?? l10n.t('Blind A/B');
      this.promptName.title = '';
      replaceChildren(this.inputLabel, [codicon('eye-closed'), h('span', { text: l10n.t('Blind A/B: which answer is better?') })]);
      this.inputLabel.title = l10n.t('The variant and model of each answer stay hidden until you have judged');
    } else if (this.view === 'suggestions' && suggestions) {
      this.promptName.textContent = suggestions.family;
      this.promptName.title = '';
      replaceChildren(this.inputLabel, [codicon('lightbulb-sparkle'), h('span', { text: l10n.t('Suggested rewrites of {0}', suggestions.parentLabel) })]);
      this.inputLabel.title = '';
    } else if (this.view === 'sweep' && sweep) {
      this.promptName.textContent = sweep.family;
      this.promptName.title = sweep.familyPath;
      replaceChildren(this.inputLabel, [codicon('table'), h('span', { text: sweepShape(sweep.variants.length, sweep.models.length, sweep.cases.length, sweep.params.length, sweep.repeats) })]);
      this.inputLabel.title = l10n.t('Sweep of {0}', sweep.familyPath);
    } else if (this.view === 'diff' && diff) {
      this.promptName.textContent = diff.family;
      this.promptName.title = '';
      replaceChildren(this.inputLabel, [codicon('diff'), h('span', { text: `${diff.left.label} → ${diff.right.label}` })]);
      this.inputLabel.title = diff.basis;
    } else {
      return;
    }
    this.inputLabel.hidden = false;
    this.runSummary.hidden = true;
    this.runningRing.hidden = true;
  }

  /** Shows the view a reload wanted once its data is there (see `pendingView`). */
  private showPendingView(): void {
    const pending = this.pendingView;
    if (pending === undefined || !this.availableViews().has(pending)) return;
    this.pendingView = undefined;
    this.showView(pending, 'restore');
  }

  /** Views with something to show; the run view always counts once anything was run. */
  private availableViews(): Set<PanelViewName> {
    const views = new Set<PanelViewName>();
    if (this.run) views.add('run');
    if (this.sweepResults.sweep) views.add('sweep');
    if (this.variantDiff.current) views.add('diff');
    if (this.scoresView.current) views.add('scores');
    if (this.blindView.hasData) views.add('blind');
    if (this.suggestionsView.current) views.add('suggestions');
    return views;
  }

  /**
   * Brings a view forward. `host`: the host asked (showView, sweepStarted); `data`:
   * new data for it arrived; `user`: the switcher; `restore`: the state was replayed.
   */
  private showView(view: PanelViewName, reason: 'host' | 'data' | 'user' | 'restore'): void {
    if (reason === 'host') this.ui.hostView = view;
    // Any choice other than a replay supersedes what a reload still wanted to show.
    if (reason !== 'restore') this.pendingView = undefined;
    const available = this.availableViews();
    // The run view is the empty state too; other views need their data.
    if (view !== 'run' && !available.has(view)) {
      this.saveSoon();
      return;
    }
    const changed = view !== this.view;
    const active = document.activeElement;
    const focusInPanel = active instanceof HTMLElement && active !== document.body && this.root.contains(active);
    this.view = view;
    this.ui.view = view;
    this.saveSoon();
    this.root.dataset.activeView = view;
    this.runView.hidden = view !== 'run';
    this.sweepResults.el.hidden = view !== 'sweep';
    this.variantDiff.el.hidden = view !== 'diff';
    this.scoresView.el.hidden = view !== 'scores';
    this.blindView.el.hidden = view !== 'blind';
    this.suggestionsView.el.hidden = view !== 'suggestions';
    this.renderHeader();
    if (view === 'sweep') this.sweepResults.shown();
    if (changed && reason === 'user') this.announce(viewButtonText(view).announcement);
    // The focus was in a view that is now hidden (e.g. on "Compare blind"): it goes to the new view, so keys go on working.
    if (changed && reason !== 'restore' && focusInPanel && active.offsetParent === null) this.focusView(view);
  }

  /** Puts the focus in a view: the run's focused column, the grid, or the view itself. */
  private focusView(view: PanelViewName): void {
    if (view === 'run') this.restoreFocus(true);
    else if (view === 'sweep') this.sweepResults.focusGrid();
    else if (view === 'blind') this.blindView.focus();
    else if (view === 'suggestions') this.suggestionsView.el.focus({ preventScroll: true });
    else if (view === 'scores') this.scoresView.el.querySelector<HTMLElement>('[data-action="startBlind"]')?.focus();
  }

  private viewButton(view: PanelViewName): HTMLElement {
    const { label, icon, title } = viewButtonText(view);
    const button = custom('vscode-button', { className: 'toggle view-button', attrs: { icon, title, secondary: '', 'aria-pressed': 'false', 'data-action': 'showView', 'data-show-view': view }, text: label });
    button.addEventListener('click', () => this.showView(view, 'user'));
    return button;
  }

  private renderEmptyState(): void {
    if (!this.received) {
      replaceChildren(this.emptyState, [h('p', { className: 'empty-hint', text: l10n.t('Connecting to Prompt Loop…') })]);
      return;
    }
    const mac = /Mac|iPhone|iPad/.test(navigator.userAgent);
    replaceChildren(this.emptyState, [
      codicon('comment-discussion', 'empty-icon'),
      h('h2', { text: l10n.t('No run yet') }),
      // {0}: the keys, {1}: the "Run" of the CodeLens above the prompt.
      h('p', {}, fill(l10n.t('Open a .prompt file and press Run ({0}) or click {1} above the prompt.'), [
        h('kbd', { text: mac ? '⌥⌘Enter' : 'Ctrl+Alt+Enter' }),
        h('strong', { text: l10n.t('Run') }),
      ])),
      h('p', { text: l10n.t('Each model’s answer appears here in its own column, side by side, with time to first token, tokens per second and token counts under it.') }),
    ]);
  }

  private renderMessages(): void {
    const run = this.run;
    const open = this.ui.messagesOpen && run !== undefined;
    this.messagesView.hidden = !open;
    if (!open || !run) {
      this.messagesView.replaceChildren();
      return;
    }
    const openPrompt = this.button('showRenderedPrompt', l10n.t('Open rendered prompt'), 'go-to-file', l10n.t('Open the rendered prompt in an editor'), true);
    const sections: HTMLElement[] = [
      h('div', { className: 'messages-header' }, [
        h('h2', { text: run.messages.length === 1 ? l10n.t('Sent to Ollama · 1 message') : l10n.t('Sent to Ollama · {0} messages', run.messages.length) }),
        openPrompt,
      ]),
      h('ol', { className: 'message-list' }, run.messages.map((m) => messageItem(m))),
    ];
    const options = Object.entries(run.options);
    sections.push(
      h('div', { className: 'messages-meta' }, [
        h('div', { className: 'meta-block' }, [
          h('h3', { text: l10n.t('Options') }),
          options.length === 0
            ? h('p', { className: 'muted', text: l10n.t('None — model defaults.') })
            : h('dl', { className: 'options' }, options.flatMap(([key, value]) => [h('dt', { text: key }), h('dd', { text: jsonText(value) })])),
        ]),
        h('div', { className: 'meta-block' }, [
          h('h3', { text: l10n.t('Format') }),
          run.format === undefined ? h('p', { className: 'muted', text: l10n.t('None — free text.') }) : h('pre', { className: 'format', text: jsonText(run.format, 2) }),
        ]),
        h('div', { className: 'meta-block' }, [
          h('h3', { text: l10n.t('Input') }),
          Object.keys(run.input).length === 0 ? h('p', { className: 'muted', text: l10n.t('No variables.') }) : h('pre', { className: 'format', text: jsonText(run.input, 2) }),
        ]),
      ]),
    );
    replaceChildren(this.messagesView, sections);
  }

  private scheduleFrame(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      const columns = [...this.dirty];
      this.dirty.clear();
      for (const column of columns) column.flush();
      this.renderHeader();
    });
  }

  // Input

  private button(action: string, label: string, icon: string, title: string, secondary: boolean): HTMLElement {
    const button = custom('vscode-button', { className: `action action-${action}`, attrs: { icon, title, 'data-action': action }, text: label });
    if (secondary) button.setAttribute('secondary', '');
    button.addEventListener('click', () => {
      if (button.hasAttribute('disabled')) return;
      this.onAction(action);
    });
    return button;
  }

  private onAction(action: string): void {
    switch (action) {
      case 'rerun':
        this.post({ type: 'rerun' });
        break;
      case 'stop':
        this.post({ type: 'stop' });
        break;
      case 'selectModels':
        this.post({ type: 'selectModels' });
        break;
      case 'showRenderedPrompt':
        if (this.run) this.post({ type: 'showRenderedPrompt', runId: this.run.runId });
        break;
      case 'toggleMessages':
        this.ui.messagesOpen = !this.ui.messagesOpen;
        this.saveSoon();
        this.renderHeader();
        this.renderMessages();
        break;
    }
  }

  /** Posts a request; returns its id (undefined before the connection exists). */
  private post(request: WebviewRequest): number | undefined {
    if (this.statusLine.dataset.kind === 'error') this.hideStatus();
    return this.connection?.post(request);
  }

  /** Ratings changed (host, a change of ours, a reply): every view that shows one draws it again. */
  private ratingsChanged(): void {
    for (const column of this.columns) column.renderRating();
    this.sweepResults.ratingsChanged();
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    // Keys typed in the comment or tags are text, not shortcuts.
    if (isTextEntry(event.target)) return;
    const column = this.columnOf(event.target);
    if (!column) return;
    const score = ratingKey(event.key);
    if (score !== undefined) {
      const reason = column.rateKey(score);
      if (reason) this.announce(l10n.t('{0}: cannot rate: {1}', column.model, reason));
      event.preventDefault();
      return;
    }
    const onColumn = event.target === column.el;
    const index = this.columns.indexOf(column);
    let next: AnswerColumn | undefined;
    switch (event.key) {
      case 'ArrowLeft':
      case 'h':
        next = this.columns[Math.max(0, index - 1)];
        break;
      case 'ArrowRight':
      case 'l':
        next = this.columns[Math.min(this.columns.length - 1, index + 1)];
        break;
      case 'Home':
        next = this.columns[0];
        break;
      case 'End':
        next = this.columns[this.columns.length - 1];
        break;
      case 'r':
        column.toggleRaw();
        this.announce(column.isRaw ? l10n.t('{0}: raw text', column.model) : l10n.t('{0}: Markdown', column.model));
        event.preventDefault();
        return;
      case 'c':
        column.copy();
        event.preventDefault();
        return;
      case 'ArrowDown':
      case 'ArrowUp':
      case 'PageDown':
      case 'PageUp':
        // The column is focused but its answer scrolls inside it: scroll that.
        if (!onColumn) return;
        column.scrollBy(event.key === 'ArrowDown' || event.key === 'PageDown' ? 1 : -1, event.key.startsWith('Page'));
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    if (next) {
      next.el.focus();
      next.el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
  }

  private columnOf(target: EventTarget | null): AnswerColumn | undefined {
    if (!(target instanceof Element)) return undefined;
    const el = target.closest('article.answer');
    return el ? this.columns.find((c) => c.el === el) : undefined;
  }

  private restoreFocus(force: boolean): void {
    const model = this.ui.focusedModel;
    if (model === undefined) return;
    const column = this.columns.find((c) => c.model === model);
    if (column && (force || document.hasFocus())) column.el.focus({ preventScroll: true });
  }

  // Feedback

  private announce(text: string): void {
    // Clearing first makes screen readers repeat a sentence identical to the last one.
    this.liveRegion.textContent = '';
    setTimeout(() => {
      this.liveRegion.textContent = text;
    }, 50);
  }

  private showStatus(kind: 'error' | 'info', text: string, hideAfterMs?: number): void {
    if (this.statusTimer !== undefined) clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    const dismiss = custom('vscode-toolbar-button', { className: 'dismiss', attrs: { icon: 'close', label: l10n.t('Dismiss message'), title: l10n.t('Dismiss') } });
    dismiss.addEventListener('click', () => this.hideStatus());
    replaceChildren(this.statusLine, [codicon(kind === 'error' ? 'error' : 'check', 'status-line-icon'), h('span', { className: 'status-line-text', text }), dismiss]);
    this.statusLine.dataset.kind = kind;
    this.statusLine.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.statusLine.hidden = false;
    if (hideAfterMs !== undefined) this.statusTimer = setTimeout(() => this.hideStatus(), hideAfterMs);
  }

  private hideStatus(): void {
    this.statusLine.hidden = true;
    this.statusLine.replaceChildren();
    delete this.statusLine.dataset.kind;
  }

  private saveSoon(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.persist(this.ui);
    }, 150);
  }
}

function messageItem(message: ChatMessageView): HTMLElement {
  return h('li', { className: `message role-${message.role}` }, [
    h('div', { className: 'message-role' }, [
      h('span', { className: 'role-pill', text: message.role }),
      message.images ? h('span', { className: 'message-images' }, [codicon('file-media'), message.images === 1 ? l10n.t('1 image attached') : l10n.t('{0} images attached', message.images)]) : null,
    ]),
    h('pre', { className: 'message-content', text: message.content }),
  ]);
}

function jsonText(value: unknown, indent?: number): string {
  if (typeof value === 'string') return indent ? JSON.stringify(value) : value;
  try {
    return JSON.stringify(value, null, indent) ?? String(value);
  } catch {
    return String(value);
  }
}

function setDisabled(el: HTMLElement, disabled: boolean): void {
  el.toggleAttribute('disabled', disabled);
  el.setAttribute('aria-disabled', String(disabled));
}
