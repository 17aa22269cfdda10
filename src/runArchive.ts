import type * as vscode from 'vscode';
import * as path from 'node:path';
import { modelMatches } from './core/analysis';
import { promptFamily } from './core/cases';
import { familyIdOf } from './core/family';
import type { ChatOutcome } from './core/ollamaClient';
import type { RenderedPrompt } from './core/prompt';
import type { AnswerRecord } from './core/store/records';
import { hashOf } from './core/sweep/hash';
import { cacheKeyOf, caseKeyOf, promptHashOf } from './core/sweep/plan';
import { workspaceRootFor } from './familyIndex';
import type { OllamaService } from './ollamaService';
import type { StoreService } from './storeService';

/**
 * Keeps the answers of single runs in the workspace store, under the same
 * cache keys a sweep would give them, so they can be rated (ratings attach to
 * stored answers), exported, and reused by a later sweep.
 */
export class RunArchive {
  constructor(
    private readonly stores: StoreService,
    private readonly ollama: OllamaService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * Stores one finished answer; resolves its key, or undefined when it cannot be
   * kept (an untitled prompt, a stopped answer with no text, a store problem —
   * logged and said once by the store service).
   */
  async keep(document: vscode.TextDocument, rendered: RenderedPrompt, caseInput: Record<string, unknown>, model: string, host: string, outcome: ChatOutcome, runId: string): Promise<string | undefined> {
    if (document.uri.scheme !== 'file' || (outcome.status === 'stopped' && !outcome.text)) return undefined;
    const root = workspaceRootFor(document.uri);
    const request = { messages: rendered.messages, options: rendered.options, format: rendered.format };
    const promptHash = promptHashOf(request);
    const digest = (await this.ollama.modelsQuietly())?.find((m) => modelMatches(model, m.name))?.digest;
    const family = familyIdOf(document.uri.fsPath, root);
    const variant = promptFamily(document.uri.fsPath).variant ?? '';
    let key = cacheKeyOf({ model, variant, repeat: 0, request: { ...request, promptHash } }, digest, family);
    const record: AnswerRecord = {
      key,
      family,
      variant,
      model,
      host,
      caseKey: caseKeyOf(caseInput),
      params: {},
      repeat: 0,
      promptHash,
      status: outcome.status,
      text: outcome.text,
      metrics: outcome.metrics,
      createdAt: Date.now(),
      runId,
    };
    if (digest) record.modelDigest = digest;
    if (outcome.thinking) record.thinking = outcome.thinking;
    if (outcome.error) record.error = outcome.error;
    try {
      const store = await this.stores.forRoot(root);
      // Never replace a finished answer that may be rated with another sample of the same
      // request: this run's answer then gets a key of its own.
      const existing = await store.getAnswer(key);
      if (existing?.status === 'done' && existing.text !== outcome.text) {
        key = hashOf({ key, runId });
        record.key = key;
      }
      await store.putAnswer(record);
      await store.putPrompts([{ hash: promptHash, family, variant, messages: rendered.messages.map(({ role, content }) => ({ role, content })), options: rendered.options, ...(rendered.format !== undefined ? { format: rendered.format } : {}), input: caseInput, createdAt: Date.now() }]);
      return key;
    } catch (error) {
      this.log.warn(`The answer of ${model} to ${path.basename(document.uri.fsPath)} was not stored: ${this.stores.describe(error)}`);
      return undefined;
    }
  }
}
