/**
 * The outer half of the UI bridge: a tiny HTTP server on 127.0.0.1 that runs the
 * tests' requests against the Playwright page (the only thing that can see inside
 * webviews). The client half is test/integration/uiBridge.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { Frame, Page } from 'playwright-core';
import type { BridgeRequest, BridgeResponse, BridgeTarget, ElementSnapshot, WaitForOptions } from './uiBridgeProtocol';

export interface UiBridgeServer {
  /** URL the tests POST to (contains a random path segment, so only the holder can drive the UI). */
  url: string;
  close(): Promise<void>;
}

export interface UiBridgeServerOptions {
  /** The workbench page; undefined until the browser is up. */
  getPage: () => Page | undefined;
  /** Where `screenshot(name)` writes. */
  screenshotDir: string;
}

/**
 * Browser-side functions are written as source text and compiled here with `vm`:
 * tsx compiles this file with esbuild's keepNames, which wraps named inner functions
 * in a `__name(...)` helper that does not exist in the page, so functions written in
 * TypeScript would fail once Playwright ships their source into the browser.
 */
function pageFunction<T>(source: string): T {
  return vm.runInThisContext(`(${source})`) as T;
}

const snapshotSource = `(el) => {
  const attrs = {};
  for (const a of Array.from(el.attributes || [])) attrs[a.name] = a.value;
  const style = el.ownerDocument.defaultView.getComputedStyle(el);
  const snap = {
    text: (el.textContent || '').replace(/\\s+/g, ' ').trim(),
    attrs,
    tag: el.tagName.toLowerCase(),
    visible: el.isConnected && el.getClientRects().length > 0 && style.visibility !== 'hidden',
  };
  const tag = el.tagName;
  if ((tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || tag.includes('-')) && typeof el.value === 'string') {
    snap.value = el.value;
  }
  return snap;
}`;

const snapshotAll = pageFunction<(els: unknown[]) => ElementSnapshot[]>(
  `(els) => { const snapshot = ${snapshotSource}; return els.map((el) => snapshot(el)); }`,
);

const activeElementSnapshot = pageFunction<() => ElementSnapshot & { documentHasFocus: boolean }>(
  `() => {
    const snapshot = ${snapshotSource};
    let el = document.activeElement || document.body;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return { ...snapshot(el), documentHasFocus: document.hasFocus() };
  }`,
);

/** 0 = not the Prompt Loop panel, 1 = it is but hidden, 2 = it is and visible. */
const panelState = pageFunction<() => number>(
  `() => {
    const root = document.querySelector('#root[data-panel="prompt-loop"]');
    if (!root) return 0;
    return document.visibilityState === 'visible' ? 2 : 1;
  }`,
);

class BridgeError extends Error {}

/**
 * The Prompt Loop panel's document. Webview content is two iframes deep
 * (`iframe.webview.ready` → `iframe#active-frame`); rather than walk that chain we ask
 * every frame whether it holds `#root[data-panel="prompt-loop"]`, preferring a visible one.
 */
async function findPanelFrame(page: Page): Promise<Frame | undefined> {
  let hidden: Frame | undefined;
  for (const frame of page.frames()) {
    if (frame === page.mainFrame() || frame.isDetached()) continue;
    let state = 0;
    try {
      state = await frame.evaluate(panelState);
    } catch {
      continue; // navigating or detached while we looked
    }
    if (state === 2) return frame;
    if (state === 1) hidden ??= frame;
  }
  return hidden;
}

async function frameFor(page: Page, target: BridgeTarget): Promise<Frame> {
  if (target === 'workbench') return page.mainFrame();
  const frame = await findPanelFrame(page);
  if (!frame) throw new BridgeError('no Prompt Loop webview is open (no frame has #root[data-panel="prompt-loop"])');
  return frame;
}

function matchesFilters(el: ElementSnapshot, o: WaitForOptions): boolean {
  if (o.textIncludes !== undefined && !el.text.includes(o.textIncludes)) return false;
  if (o.visible !== undefined && el.visible !== o.visible) return false;
  for (const [name, want] of Object.entries(o.attr ?? {})) {
    const have = el.attrs[name];
    if (have === undefined || (want !== true && have !== want)) return false;
  }
  return true;
}

/** The elements that pass the filters, or undefined while the count condition does not hold. */
function evaluateWait(found: ElementSnapshot[], o: WaitForOptions): ElementSnapshot[] | undefined {
  const kept = found.filter((el) => matchesFilters(el, o));
  if (o.count !== undefined) return kept.length === o.count ? kept : undefined;
  return kept.length >= (o.minCount ?? 1) ? kept : undefined;
}

function describeSeen(seen: ElementSnapshot[] | string): string {
  if (typeof seen === 'string') return seen;
  const texts = seen.slice(0, 5).map((el) => JSON.stringify(el.text.slice(0, 80)));
  return `${seen.length} element(s)${texts.length ? `: ${texts.join(', ')}` : ''}${seen.length > 5 ? ', …' : ''}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function query(page: Page, target: BridgeTarget, selector: string): Promise<ElementSnapshot[]> {
  const frame = await frameFor(page, target);
  return frame.locator(selector).evaluateAll(snapshotAll);
}

async function waitFor(page: Page, target: BridgeTarget, selector: string, options: WaitForOptions, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let seen: ElementSnapshot[] | string = 'nothing yet';
  for (;;) {
    try {
      const found = await query(page, target, selector);
      const result = evaluateWait(found, options);
      if (result) return result;
      seen = found;
    } catch (err) {
      // Frames come and go while the UI settles: keep polling, but remember why.
      seen = err instanceof Error ? err.message.split('\n')[0] : String(err);
    }
    if (Date.now() >= deadline) {
      throw new BridgeError(
        `waitFor(${JSON.stringify(selector)}, ${JSON.stringify(options)}) timed out after ${timeoutMs} ms; last saw ${describeSeen(seen)}`,
      );
    }
    await sleep(100);
  }
}

function screenshotPath(dir: string, name: string): string {
  const base = name.replace(/\.png$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'screenshot';
  return path.join(dir, `${base.slice(0, 120)}.png`);
}

async function perform(page: Page, req: BridgeRequest, screenshotDir: string): Promise<unknown> {
  const timeout = req.timeoutMs;
  switch (req.op) {
    case 'query':
      return query(page, req.target, req.selector);
    case 'waitFor':
      return waitFor(page, req.target, req.selector, req.options ?? {}, timeout);
    case 'click':
      await (await frameFor(page, req.target)).locator(req.selector).click({ timeout });
      return null;
    case 'focus':
      await (await frameFor(page, req.target)).locator(req.selector).focus({ timeout });
      return null;
    case 'press':
      if (req.selector) {
        await (await frameFor(page, req.target)).locator(req.selector).press(req.key, { timeout });
      } else {
        // Keyboard events go to whatever has focus, in the workbench or inside a webview.
        await page.keyboard.press(req.key);
      }
      return null;
    case 'type':
      if (req.selector) {
        // fill() replaces the value the way a user selecting all and typing would.
        await (await frameFor(page, req.target)).locator(req.selector).fill(req.text, { timeout });
      } else {
        await page.keyboard.type(req.text);
      }
      return null;
    case 'activeElement':
      return (await frameFor(page, req.target)).evaluate(activeElementSnapshot);
    case 'evaluate':
      return (await frameFor(page, req.target)).evaluate(req.expression);
    case 'exists':
      return req.target === 'workbench' ? true : (await findPanelFrame(page)) !== undefined;
    case 'screenshot': {
      mkdirSync(screenshotDir, { recursive: true });
      const file = screenshotPath(screenshotDir, req.name);
      await page.screenshot({ path: file, fullPage: true, timeout });
      return file;
    }
    default:
      throw new BridgeError(`unknown op ${JSON.stringify((req as { op?: unknown }).op)}`);
  }
}

function parseRequest(body: string): BridgeRequest {
  const req = JSON.parse(body) as Partial<BridgeRequest> | null;
  if (!req || typeof req !== 'object' || typeof req.op !== 'string') throw new BridgeError('malformed request');
  if (typeof req.timeoutMs !== 'number' || !(req.timeoutMs > 0)) throw new BridgeError('timeoutMs must be a positive number');
  if ('target' in req && req.target !== 'webview' && req.target !== 'workbench') throw new BridgeError('bad target');
  return req as BridgeRequest;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_000_000) {
        reject(new BridgeError('request too large'));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(body: string, options: UiBridgeServerOptions): Promise<BridgeResponse> {
  try {
    const req = parseRequest(body);
    const page = options.getPage();
    if (!page || page.isClosed()) throw new BridgeError('the browser page is not available');
    // Playwright gets the same timeout, so this guard only fires if something hangs past it.
    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BridgeError(`${req.op} timed out after ${req.timeoutMs} ms`)), req.timeoutMs + 2000);
    });
    try {
      return { ok: true, result: await Promise.race([perform(page, req, options.screenshotDir), guard]) };
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Starts the bridge on a random 127.0.0.1 port. */
export async function startUiBridgeServer(options: UiBridgeServerOptions): Promise<UiBridgeServer> {
  const secret = randomBytes(12).toString('hex');
  const server = http.createServer((req, res) => {
    const reply = (status: number, payload: BridgeResponse) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || req.url !== `/${secret}`) {
      reply(404, { ok: false, error: 'not found' });
      return;
    }
    readBody(req)
      .then((body) => handle(body, options))
      .then((payload) => reply(200, payload))
      .catch((err: unknown) => reply(400, { ok: false, error: err instanceof Error ? err.message : String(err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${secret}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
