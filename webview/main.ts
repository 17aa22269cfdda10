/**
 * Entry of the Prompt Loop panel (bundled to dist/webview/panel.js as an IIFE).
 * Registers only the vscode-elements components the panel uses, configures the
 * translations, then says `ready` to the host, which answers with the full state.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { HostToWebview } from '../src/core/protocol';
import { HostConnection } from './hostConnection';
import { configureL10n } from './l10nBundle';
import { Panel } from './panel';
import { readUiState } from './uiState';

const hostMessageTypes: ReadonlySet<string> = new Set<HostToWebview['type']>([
  'state', 'runStarted', 'chunks', 'answerUpdated', 'runFinished',
  'sweepStarted', 'sweepCells', 'sweepFinished', 'variantDiff', 'showView',
  'ratings', 'scores', 'blindPair', 'suggestions',
  'reply',
]);

function isHostMessage(data: unknown): data is HostToWebview {
  return typeof data === 'object' && data !== null && hostMessageTypes.has(String((data as { type?: unknown }).type));
}

function start(): void {
  // The translations come with the page, not with the first `state`: the panel builds
  // its header, buttons and "Connecting…" before any message arrives, so a bundle sent
  // later would find English already drawn (and every view would have to be rebuilt).
  // Read from the page, it is in place before the first word is looked up. The words
  // are looked up when drawn (no module keeps an English copy), so this is early enough.
  configureL10n(document);
  const root = document.getElementById('root');
  if (!root) throw new Error('Prompt Loop panel: #root is missing');
  // Replies only arrive after `ready` is posted below, when `panel` exists.
  const connection = new HostConnection((request, reply) => panel.onReply(request, reply));
  const panel = new Panel(root, readUiState(connection.getState()), (state) => connection.setState(state));
  panel.connect(connection);
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isHostMessage(event.data)) panel.handle(event.data);
  });
  connection.post({ type: 'ready' });
}

start();
