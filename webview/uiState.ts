/**
 * What the panel remembers across a reload: only view choices. The host owns the
 * data and sends `state` again after a reload.
 *
 * Version 2 added the view choice and the results grid's choices; a version 1
 * state still reads (its fields are the same, the new ones take their defaults).
 * The feedback views (scores, blind, suggestions) added view names and the blind
 * comment draft to version 2 without a new version: both are optional and read
 * defensively, so a state written before them reads as it did.
 */
import type { PanelViewName } from '../src/core/protocol';
import type { GridGrouping } from './gridModel';

/** The results grid's view choices. */
export interface SweepUiState {
  grouping: GridGrouping;
  failedOnly: boolean;
  differingOnly: boolean;
  /** Grid cell (gridCellKey) that has the roving focus. */
  activeCell?: string;
  /** Grid cell whose detail is open. */
  selectedCell?: string;
  /** Repeat shown in the detail. */
  selectedRepeat: number;
  /** The detail shows raw text instead of Markdown. */
  detailRaw: boolean;
  scrollTop: number;
  scrollLeft: number;
  /** The per-variant summary table is expanded. */
  summaryOpen: boolean;
}

export interface UiState {
  version: 2;
  /** Models whose answers are shown as raw text instead of Markdown. */
  rawModels: string[];
  /** Model of the answer column that had focus. */
  focusedModel?: string;
  /** Scroll offset of each answer, by model. */
  answerScroll: Record<string, number>;
  /** Horizontal scroll of the columns. */
  columnsScroll: number;
  messagesOpen: boolean;
  /** The view the user chose last. */
  view?: PanelViewName;
  /** The view the host had brought forward when the user chose: a newer one from the host wins. */
  hostView?: PanelViewName;
  sweep: SweepUiState;
  /** The comment typed for a blind pair, not sent yet. */
  blindComment?: { pairId: string; text: string };
}

export function defaultSweepUiState(): SweepUiState {
  return { grouping: 'model', failedOnly: false, differingOnly: false, selectedRepeat: 0, detailRaw: false, scrollTop: 0, scrollLeft: 0, summaryOpen: true };
}

export function defaultUiState(): UiState {
  return { version: 2, rawModels: [], answerScroll: {}, columnsScroll: 0, messagesOpen: false, sweep: defaultSweepUiState() };
}

const viewNames: ReadonlySet<string> = new Set<PanelViewName>(['run', 'sweep', 'diff', 'scores', 'blind', 'suggestions']);

/** Longest blind comment kept (the protocol's limit for a comment). */
const maxDraftLength = 10_000;

function isViewName(value: unknown): value is PanelViewName {
  return typeof value === 'string' && viewNames.has(value);
}

function finiteNonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Reads a stored state defensively: anything malformed falls back to the default. */
export function readUiState(stored: unknown): UiState {
  const state = defaultUiState();
  if (typeof stored !== 'object' || stored === null) return state;
  const record = stored as Record<string, unknown>;
  if (record.version !== 1 && record.version !== 2) return state;
  if (Array.isArray(record.rawModels)) state.rawModels = record.rawModels.filter((m): m is string => typeof m === 'string').slice(0, 200);
  if (typeof record.focusedModel === 'string') state.focusedModel = record.focusedModel;
  if (typeof record.answerScroll === 'object' && record.answerScroll !== null) {
    for (const [model, top] of Object.entries(record.answerScroll as Record<string, unknown>)) {
      if (typeof top === 'number' && Number.isFinite(top)) state.answerScroll[model] = top;
    }
  }
  if (typeof record.columnsScroll === 'number' && Number.isFinite(record.columnsScroll)) state.columnsScroll = record.columnsScroll;
  state.messagesOpen = record.messagesOpen === true;
  if (record.version === 1) return state;

  if (isViewName(record.view)) state.view = record.view;
  if (isViewName(record.hostView)) state.hostView = record.hostView;
  const sweep = typeof record.sweep === 'object' && record.sweep !== null ? (record.sweep as Record<string, unknown>) : {};
  const s = state.sweep;
  if (sweep.grouping === 'model' || sweep.grouping === 'variant') s.grouping = sweep.grouping;
  s.failedOnly = sweep.failedOnly === true;
  s.differingOnly = sweep.differingOnly === true;
  if (typeof sweep.activeCell === 'string' && sweep.activeCell.length <= 4096) s.activeCell = sweep.activeCell;
  if (typeof sweep.selectedCell === 'string' && sweep.selectedCell.length <= 4096) s.selectedCell = sweep.selectedCell;
  const repeat = finiteNonNegative(sweep.selectedRepeat);
  if (repeat !== undefined && Number.isSafeInteger(repeat)) s.selectedRepeat = repeat;
  s.detailRaw = sweep.detailRaw === true;
  s.scrollTop = finiteNonNegative(sweep.scrollTop) ?? 0;
  s.scrollLeft = finiteNonNegative(sweep.scrollLeft) ?? 0;
  s.summaryOpen = sweep.summaryOpen !== false;
  const draft = typeof record.blindComment === 'object' && record.blindComment !== null ? (record.blindComment as Record<string, unknown>) : undefined;
  if (draft && typeof draft.pairId === 'string' && draft.pairId.length > 0 && draft.pairId.length <= 4096 && typeof draft.text === 'string' && draft.text !== '') {
    state.blindComment = { pairId: draft.pairId, text: draft.text.slice(0, maxDraftLength) };
  }
  return state;
}

/**
 * The view to show when the host's state arrives: the user's own choice, unless
 * the host has brought another view forward since, or the chosen view has no data.
 */
export function resolveView(ui: Pick<UiState, 'view' | 'hostView'>, hostView: PanelViewName | undefined, available: ReadonlySet<PanelViewName>): PanelViewName {
  const hostMovedOn = hostView !== undefined && hostView !== ui.hostView;
  const wanted = hostMovedOn ? hostView : (ui.view ?? hostView);
  for (const view of [wanted, hostView, 'run', 'sweep', 'diff', 'scores', 'blind', 'suggestions'] as const) {
    if (view !== undefined && available.has(view)) return view;
  }
  return 'run';
}
