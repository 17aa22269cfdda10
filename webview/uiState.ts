/**
 * What the panel remembers across a reload: only view choices. The host owns the
 * data and sends `state` again after a reload.
 */

export interface UiState {
  version: 1;
  /** Models whose answers are shown as raw text instead of Markdown. */
  rawModels: string[];
  /** Model of the answer column that had focus. */
  focusedModel?: string;
  /** Scroll offset of each answer, by model. */
  answerScroll: Record<string, number>;
  /** Horizontal scroll of the columns. */
  columnsScroll: number;
  messagesOpen: boolean;
}

export function defaultUiState(): UiState {
  return { version: 1, rawModels: [], answerScroll: {}, columnsScroll: 0, messagesOpen: false };
}

/** Reads a stored state defensively: anything malformed falls back to the default. */
export function readUiState(stored: unknown): UiState {
  const state = defaultUiState();
  if (typeof stored !== 'object' || stored === null) return state;
  const record = stored as Record<string, unknown>;
  if (record.version !== 1) return state;
  if (Array.isArray(record.rawModels)) state.rawModels = record.rawModels.filter((m): m is string => typeof m === 'string').slice(0, 200);
  if (typeof record.focusedModel === 'string') state.focusedModel = record.focusedModel;
  if (typeof record.answerScroll === 'object' && record.answerScroll !== null) {
    for (const [model, top] of Object.entries(record.answerScroll as Record<string, unknown>)) {
      if (typeof top === 'number' && Number.isFinite(top)) state.answerScroll[model] = top;
    }
  }
  if (typeof record.columnsScroll === 'number' && Number.isFinite(record.columnsScroll)) state.columnsScroll = record.columnsScroll;
  state.messagesOpen = record.messagesOpen === true;
  return state;
}
