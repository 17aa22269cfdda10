/**
 * The webview's side of the message protocol: one `acquireVsCodeApi()` call,
 * request ids, and the replies that come back for them.
 */
import type { HostToWebview, WebviewToHost } from '../src/core/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** A request as the panel writes it; the connection adds the id. */
export type WebviewRequest = WebviewToHost extends infer M ? (M extends WebviewToHost ? Omit<M, 'requestId'> : never) : never;

export type ReplyMessage = Extract<HostToWebview, { type: 'reply' }>;

/** Called when the host replies to a request the panel made. */
export type ReplyListener = (request: WebviewRequest, reply: ReplyMessage) => void;

/** Wraps the VS Code API so it is acquired exactly once (a second call throws). */
export class HostConnection {
  private readonly api: VsCodeApi;
  private nextId = 1;
  private readonly pending = new Map<number, WebviewRequest>();

  constructor(private readonly onReply: ReplyListener) {
    this.api = acquireVsCodeApi();
  }

  /** Posts a request and returns its id. */
  post(request: WebviewRequest): number {
    const requestId = this.nextId++;
    this.pending.set(requestId, request);
    this.api.postMessage({ ...request, requestId });
    return requestId;
  }

  /** Matches a reply to its request; replies to unknown ids are ignored. */
  handleReply(reply: ReplyMessage): void {
    const request = this.pending.get(reply.requestId);
    if (!request) return;
    this.pending.delete(reply.requestId);
    this.onReply(request, reply);
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(state: unknown): void {
    this.api.setState(state);
  }
}
