import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnswerMessage } from './answers';
import { answerSeed, generateAnswer } from './answers';
import type { CutFault, FaultConfig, SimModel, SimulatorConfig, StallFault } from './config';
import { normalizeModelName, parseKeepAlive, resolveConfig } from './config';
import { defaultServerErrorMessage, FaultInjector } from './faults';
import { sha256Hex } from './random';
import type { SimulatorStats } from './stats';
import { StatsRecorder } from './stats';
import { Scheduler, QueueFullError, RequestAbortedError, sleep, untilAborted } from './timing';
import { countPromptTokens, tokenId, tokenize } from './tokenizer';

/**
 * An Ollama-compatible HTTP server for tests, benchmarks and demos. It speaks
 * the API as the `ollama` npm client uses it (NDJSON streams, JSON errors with
 * status codes) and simulates model loading, parallel slots, LRU eviction and
 * token-by-token generation at configured speeds. See README.md for fidelity.
 */

/** A running simulator, as tests and the CLI drive it. */
export interface RunningSimulator {
  /** `http://127.0.0.1:PORT` — pass it as `host` to `new Ollama({ host })`. */
  readonly url: string;
  readonly port: number;
  /** A snapshot of the counters (a fresh copy on every read). */
  readonly stats: SimulatorStats;
  /** A snapshot of the current configuration. */
  readonly config: SimulatorConfig;
  /** Replaces all faults; `{}` clears them. Resolves once a refuse/unrefuse took effect. */
  setFaults(faults: FaultConfig): Promise<void>;
  /** Changes timing, limits or models at runtime (not the port). Passing `models` re-declares what is installed. */
  setConfig(partial: Partial<SimulatorConfig>): Promise<void>;
  /** Back to the start: in-flight requests dropped, models unloaded, pulls undone, stats zeroed, start-up faults restored. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a simulator on 127.0.0.1 (port 0 = a free port) and resolves once it listens. */
export async function startSimulator(config: Partial<SimulatorConfig> = {}): Promise<RunningSimulator> {
  const sim = new OllamaSimulator(resolveConfig(config));
  await sim.listen();
  return sim;
}

type Json = Record<string, unknown>;

/** Services a request uses, captured at its start so a reset cannot mix old and new state. */
interface RequestScope {
  stats: StatsRecorder;
  scheduler: Scheduler;
  faults: FaultInjector;
}

interface InFlight {
  abort: AbortController;
  res: http.ServerResponse;
}

const epochForInstalled = Date.UTC(2025, 0, 10, 9, 30, 0);

class OllamaSimulator implements RunningSimulator {
  private cfg: SimulatorConfig;
  private readonly startupFaults: FaultConfig;
  private recorder = new StatsRecorder();
  private scheduler: Scheduler;
  private injector: FaultInjector;
  /** Installed model name → modified_at. */
  private installed = new Map<string, Date>();
  private readonly server: http.Server;
  private boundPort = 0;
  private listening = false;
  private closed = false;
  private refuseTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<InFlight>();
  /** Requests seen per answer seed: an unseeded request at temperature > 0 samples anew each time. */
  private draws = new Map<string, number>();

  constructor(cfg: SimulatorConfig) {
    this.cfg = cfg;
    this.startupFaults = structuredClone(cfg.faults);
    this.injector = new FaultInjector(cfg.faults);
    this.scheduler = this.newScheduler();
    this.declareInstalled();
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
        else res.destroy();
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  get stats(): SimulatorStats {
    return this.recorder.snapshot();
  }

  get config(): SimulatorConfig {
    return structuredClone(this.cfg);
  }

  async listen(): Promise<void> {
    await this.listenOn(this.cfg.port);
    this.cfg.port = this.boundPort;
    await this.applyRefuse(this.cfg.faults);
  }

  async setFaults(faults: FaultConfig): Promise<void> {
    const next = structuredClone(faults ?? {});
    this.cfg.faults = next;
    this.injector = new FaultInjector(next);
    await this.applyRefuse(next);
  }

  async setConfig(partial: Partial<SimulatorConfig>): Promise<void> {
    const { faults, port: _port, ...rest } = partial;
    const next = resolveConfig({ ...rest, faults: this.cfg.faults }, this.cfg);
    this.cfg = next;
    if (rest.models) this.declareInstalled();
    this.scheduler.poke();
    if (faults) await this.setFaults(faults);
  }

  async reset(): Promise<void> {
    this.dropInFlight();
    this.scheduler.dispose();
    this.recorder = new StatsRecorder();
    this.draws = new Map();
    this.scheduler = this.newScheduler();
    this.declareInstalled();
    await this.setFaults(this.startupFaults);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.refuseTimer);
    this.dropInFlight();
    this.scheduler.dispose();
    await this.stopListening();
  }

  // -------------------------------------------------------------------------
  // Listening and refusing

  private newScheduler(): Scheduler {
    return new Scheduler(() => this.cfg, this.recorder);
  }

  private declareInstalled(): void {
    this.installed = new Map(
      this.cfg.models
        .map((m, i) => [m, i] as const)
        .filter(([m]) => m.installed !== false)
        .map(([m, i]) => [m.name, new Date(epochForInstalled - i * 86_400_000)]),
    );
  }

  private listenOn(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', onError);
        this.boundPort = (this.server.address() as AddressInfo).port;
        this.listening = true;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      // Kill keep-alive sockets too, or pooled clients would still get through.
      this.server.closeAllConnections();
    });
  }

  private async applyRefuse(faults: FaultConfig): Promise<void> {
    clearTimeout(this.refuseTimer);
    this.refuseTimer = undefined;
    if (this.closed) return;
    if (faults.refuse === 'closed') {
      if (this.listening) {
        this.recorder.fault('refuse');
        await this.stopListening();
      }
    } else if (!this.listening) {
      await this.listenOn(this.boundPort);
    }
    if (faults.refuse && faults.refuseForMs !== undefined) {
      this.refuseTimer = setTimeout(() => {
        const { refuse: _r, refuseForMs: _f, ...rest } = this.cfg.faults;
        this.setFaults(rest).catch((err: unknown) => console.error('simulator: could not lift refuse fault:', err));
      }, faults.refuseForMs);
    }
  }

  private dropInFlight(): void {
    for (const f of this.inFlight) {
      f.abort.abort();
      f.res.destroy();
    }
    this.inFlight.clear();
  }

  // -------------------------------------------------------------------------
  // Routing

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const method = req.method ?? 'GET';
    if (this.cfg.faults.refuse === 'reset' && !path.startsWith('/sim/')) {
      this.recorder.fault('refuse');
      req.socket.destroy();
      return;
    }
    this.recorder.request(path);
    const scope: RequestScope = { stats: this.recorder, scheduler: this.scheduler, faults: this.injector };

    const routes: Record<string, Partial<Record<string, () => Promise<void> | void>>> = {
      '/': { GET: () => sendText(res, 200, 'Ollama is running'), HEAD: () => sendText(res, 200, 'Ollama is running') },
      '/api/version': { GET: () => sendJson(res, 200, { version: this.cfg.version }), HEAD: () => sendJson(res, 200, { version: this.cfg.version }) },
      '/api/tags': { GET: () => sendJson(res, 200, this.tags()), HEAD: () => sendJson(res, 200, this.tags()) },
      '/api/ps': { GET: () => sendJson(res, 200, this.ps(scope)) },
      '/api/show': { POST: () => this.withBody(req, res, (b) => this.show(res, b, scope)) },
      '/api/delete': { DELETE: () => this.withBody(req, res, (b) => this.remove(res, b)) },
      '/api/chat': { POST: () => this.withBody(req, res, (b) => this.completion('chat', res, b, scope)) },
      '/api/generate': { POST: () => this.withBody(req, res, (b) => this.completion('generate', res, b, scope)) },
      '/api/pull': { POST: () => this.withBody(req, res, (b) => this.pull(res, b, scope)) },
      '/sim/stats': { GET: () => sendJson(res, 200, this.recorder.snapshot()) },
      '/sim/faults': {
        GET: () => sendJson(res, 200, this.cfg.faults),
        POST: () => this.withBody(req, res, async (b) => {
          await this.setFaults(b);
          sendJson(res, 200, this.cfg.faults);
        }),
      },
      '/sim/config': {
        GET: () => sendJson(res, 200, this.config),
        POST: () => this.withBody(req, res, async (b) => {
          try {
            await this.setConfig(b);
          } catch (err) {
            sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
            return;
          }
          sendJson(res, 200, this.config);
        }),
      },
      '/sim/reset': {
        POST: async () => {
          await this.reset();
          sendJson(res, 200, { status: 'reset' });
        },
      },
    };

    const byMethod = routes[path];
    if (!byMethod) return sendText(res, 404, '404 page not found');
    const handler = byMethod[method];
    if (!handler) return sendText(res, 405, '405 method not allowed');
    await handler();
  }

  private async withBody(req: http.IncomingMessage, res: http.ServerResponse, fn: (body: Json) => Promise<void> | void): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return sendJson(res, 400, { error: 'missing request body' });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return sendJson(res, 400, { error: `invalid JSON body: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (!isRecord(body)) return sendJson(res, 400, { error: 'json: cannot unmarshal non-object into Go value of type api.Request' });
    await fn(body);
  }

  // -------------------------------------------------------------------------
  // Model listing

  private installedModel(name: string): SimModel | undefined {
    return this.installed.has(name) ? this.cfg.models.find((m) => m.name === name) : undefined;
  }

  private tags(): Json {
    const models = [...this.installed.entries()]
      .map(([name, modifiedAt]) => ({ model: this.cfg.models.find((m) => m.name === name), modifiedAt }))
      .filter((e): e is { model: SimModel; modifiedAt: Date } => e.model !== undefined)
      .sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime())
      .map(({ model, modifiedAt }) => ({
        name: model.name,
        model: model.name,
        modified_at: modifiedAt.toISOString(),
        size: model.sizeBytes,
        digest: digestOf(model),
        details: details(model),
      }));
    return { models };
  }

  private ps(scope: RequestScope): Json {
    return {
      models: scope.scheduler.loadedRunners().map((r) => ({
        name: r.model.name,
        model: r.model.name,
        size: memorySize(r.model),
        digest: digestOf(r.model),
        details: details(r.model),
        expires_at: r.expiresAtForDisplay().toISOString(),
        size_vram: memorySize(r.model),
        context_length: this.cfg.defaultNumCtx,
      })),
    };
  }

  private show(res: http.ServerResponse, body: Json, scope: RequestScope): void {
    const requested = str(body.model) || str(body.name);
    if (!requested) return sendJson(res, 400, { error: 'model is required' });
    const name = normalizeModelName(requested);
    const model = this.installedModel(name);
    if (!model || scope.faults.notFound(name)) {
      if (model) scope.stats.fault('notFound');
      return sendJson(res, 404, { error: `model '${requested}' not found` });
    }
    const template = templateFor(model);
    const stop = stopTokensFor(model);
    const parameters = stop.map((s) => `${'stop'.padEnd(30)} ${JSON.stringify(s)}`).join('\n');
    const family = model.family;
    const paramCount = Math.round(parseFloat(model.parameterSize) * (model.parameterSize.endsWith('M') ? 1e6 : 1e9));
    sendJson(res, 200, {
      license: `${model.name} is provided under its publisher's license.\nThis text is a placeholder written by the Prompt Loop simulator.`,
      modelfile: [
        '# Modelfile generated by "ollama show"',
        '# To build a new Modelfile based on this, replace FROM with:',
        `# FROM ${model.name}`,
        '',
        `FROM /root/.ollama/models/blobs/sha256-${digestOf(model)}`,
        `TEMPLATE """${template}"""`,
        ...stop.map((s) => `PARAMETER stop ${s}`),
        '',
      ].join('\n'),
      parameters,
      template,
      details: details(model),
      model_info: {
        'general.architecture': family,
        'general.basename': model.name.split(':')[0],
        'general.file_type': 15,
        'general.parameter_count': paramCount,
        'general.quantization_version': 2,
        [`${family}.context_length`]: model.contextLength ?? 8192,
        [`${family}.embedding_length`]: 3072,
        [`${family}.block_count`]: 28,
      },
      capabilities: ['completion', ...(model.thinking ? ['thinking'] : []), ...(/^(llama|qwen|mistral)/.test(family) ? ['tools'] : [])],
      modified_at: (this.installed.get(name) ?? new Date()).toISOString(),
    });
  }

  private remove(res: http.ServerResponse, body: Json): void {
    const requested = str(body.model) || str(body.name);
    const name = normalizeModelName(requested);
    if (!requested || !this.installed.delete(name)) return sendJson(res, 404, { error: `model '${requested}' not found` });
    res.writeHead(200).end();
  }

  // -------------------------------------------------------------------------
  // Chat and generate

  private async completion(kind: 'chat' | 'generate', res: http.ServerResponse, body: Json, scope: RequestScope): Promise<void> {
    const started = performance.now();
    const { stats, scheduler, faults } = scope;
    const requested = str(body.model);
    if (!requested.trim()) return sendJson(res, 400, { error: 'model is required' });
    const name = normalizeModelName(requested);
    const model = this.installedModel(name);
    if (!model || faults.notFound(name)) {
      if (model) stats.fault('notFound');
      return sendJson(res, 404, { error: `model "${requested}" not found, try pulling it first` });
    }
    stats.modelRequest(name);

    const keepAlive = parseKeepAlive(body.keep_alive ?? this.cfg.defaultKeepAlive);
    if ('error' in keepAlive) return sendJson(res, 400, { error: keepAlive.error });
    if (typeof body.think === 'string') return sendJson(res, 400, { error: `think value "${body.think}" is not supported for this model` });
    if (body.think === true && !model.thinking) return sendJson(res, 400, { error: `"${requested}" does not support thinking` });
    // Like Ollama, thinking models think unless told not to.
    const think = model.thinking === true && body.think !== false;

    let messages: AnswerMessage[];
    if (kind === 'chat') {
      if (body.messages !== undefined && body.messages !== null && !Array.isArray(body.messages)) {
        return sendJson(res, 400, { error: 'json: cannot unmarshal messages into Go struct field ChatRequest.messages of type []api.Message' });
      }
      messages = ((body.messages as unknown[] | undefined) ?? []).map((m) => ({
        role: isRecord(m) ? str(m.role) : '',
        content: isRecord(m) ? str(m.content) : '',
      }));
    } else {
      const prompt = str(body.prompt);
      const system = str(body.system);
      messages = prompt === '' ? [] : [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: prompt }];
    }
    const stream = body.stream !== false;
    const options = isRecord(body.options) ? body.options : {};
    const loadTime = (): { ms: number; slowed: boolean } => {
      const forced = faults.loadMs(name);
      return forced !== undefined ? { ms: forced, slowed: true } : { ms: model.loadMs * this.cfg.timeScale, slowed: false };
    };

    const flight: InFlight = { abort: new AbortController(), res };
    const signal = flight.abort.signal;
    this.inFlight.add(flight);
    res.on('close', () => {
      if (!res.writableFinished) flight.abort.abort();
    });
    // The client may have gone while its body was being read: 'close' has fired already.
    if (res.destroyed || res.socket?.destroyed !== false) flight.abort.abort();
    stats.enter(name);
    try {
      if (messages.length === 0) {
        // Ollama's load/unload idiom: no messages (or empty prompt), optional keep_alive 0.
        let doneReason = 'unload';
        if (keepAlive.ms === 0) scheduler.expire(name);
        else {
          await scheduler.preload(model, keepAlive.ms, loadTime, signal);
          doneReason = 'load';
        }
        const base = { model: requested, created_at: new Date().toISOString() };
        stats.data.completed++;
        return sendJson(res, 200, kind === 'chat'
          ? { ...base, message: { role: 'assistant', content: '' }, done_reason: doneReason, done: true }
          : { ...base, response: '', done: true, done_reason: doneReason });
      }

      const lease = await scheduler.acquire(model, keepAlive.ms, loadTime, signal);
      try {
        const loadedAt = performance.now();
        const failure = faults.serverError(name);
        if (failure) {
          stats.fault('serverError');
          return sendJson(res, failure.status ?? 500, { error: failure.message ?? defaultServerErrorMessage });
        }
        await lease.slot(signal);

        const answerRequest = { endpoint: kind, model, messages, options, format: body.format === '' ? undefined : body.format, think };
        const drawKey = answerSeed(answerRequest);
        const draw = this.draws.get(drawKey) ?? 0;
        this.draws.set(drawKey, draw + 1);
        const answer = generateAnswer(answerRequest, draw);
        const shaped = shapeAnswer(answer.thinking, answer.content, options);
        const numCtx = positiveInt(options.num_ctx) ?? this.cfg.defaultNumCtx;
        const contextTokens = Array.isArray(body.context) ? body.context.length : 0;
        const promptTokens = Math.min(countPromptTokens(messages) + contextTokens, numCtx);
        const gate = new StreamFaultGate(faults.cut(name), faults.stall(name), shaped.pieces.length, stats, signal);

        // Like Ollama, headers go out with the first chunk: until then a client only sees latency.
        const head = (): void => {
          if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        };

        const promptEvalStart = performance.now();
        const promptEvalMs = (promptTokens / model.promptTokensPerSec) * 1000 * this.cfg.timeScale;
        stats.busy(name, 'promptEvalMs', promptEvalMs);
        await sleep(promptEvalMs, signal);
        if (signal.aborted) throw new RequestAbortedError();
        const promptEvalNs = toNs(performance.now() - promptEvalStart);

        const evalStart = performance.now();
        let due = evalStart;
        let emitted = 0;
        for (const piece of shaped.pieces) {
          const verdict = await gate.before(emitted);
          if (verdict === 'cut') return cutConnection(res);
          if (verdict === 'resumed') due = performance.now();
          // Busy slots of the same model share the hardware, so each one slows down.
          const contention = 1 + this.cfg.parallelContention * Math.max(0, lease.runner.active - 1);
          const tokenMs = (1000 / model.genTokensPerSec) * contention * this.cfg.timeScale;
          stats.busy(name, 'generationMs', tokenMs);
          due += tokenMs;
          const wait = due - performance.now();
          // Sleep only when a token is due ≥1 ms ahead; nearer tokens go out together, so the rate holds despite timer granularity.
          if (wait >= 1) await sleep(wait, signal);
          else if (emitted % 64 === 63) await sleep(0, signal);
          if (signal.aborted) throw new RequestAbortedError();
          if (stream) {
            head();
            await writeLine(res, chunkFor(kind, requested, piece));
          }
          emitted++;
        }
        const verdict = await gate.before(emitted);
        if (verdict === 'cut') return cutConnection(res);

        const metrics = {
          total_duration: toNs(performance.now() - started),
          load_duration: toNs(loadedAt - started),
          prompt_eval_count: promptTokens,
          prompt_eval_duration: promptEvalNs,
          eval_count: emitted,
          eval_duration: toNs(performance.now() - evalStart),
        };
        stats.data.tokens.prompt += promptTokens;
        stats.data.tokens.generated += emitted;
        const thinking = shaped.pieces.filter((p) => p.thinking).map((p) => p.text).join('');
        const content = shaped.pieces.filter((p) => !p.thinking).map((p) => p.text).join('');
        const created_at = new Date().toISOString();
        let final: Json;
        if (kind === 'chat') {
          const message: Json = { role: 'assistant', content: stream ? '' : content };
          if (!stream && thinking) message.thinking = thinking;
          final = { model: requested, created_at, message, done_reason: shaped.doneReason, done: true, ...metrics };
        } else {
          final = { model: requested, created_at, response: stream ? '' : content };
          if (!stream && thinking) final.thinking = thinking;
          Object.assign(final, { done: true, done_reason: shaped.doneReason });
          if (body.raw !== true) final.context = contextIds(messages, content, body.context);
          Object.assign(final, metrics);
        }
        stats.data.completed++;
        if (stream) {
          head();
          await writeLine(res, final);
          res.end();
        } else {
          sendJson(res, 200, final);
        }
      } finally {
        lease.release();
      }
    } catch (err) {
      if (err instanceof RequestAbortedError) {
        if (signal.aborted) stats.data.aborted++;
        if (!res.writableEnded) res.destroy();
        return;
      }
      if (err instanceof QueueFullError) return sendJson(res, 503, { error: err.message });
      throw err;
    } finally {
      stats.leave(name);
      this.inFlight.delete(flight);
    }
  }

  // -------------------------------------------------------------------------
  // Pull

  private async pull(res: http.ServerResponse, body: Json, scope: RequestScope): Promise<void> {
    const { faults, stats } = scope;
    const requested = str(body.model) || str(body.name);
    if (!requested.trim()) return sendJson(res, 400, { error: 'invalid model name' });
    const name = normalizeModelName(requested);
    const model = this.cfg.models.find((m) => m.name === name);
    const stream = body.stream !== false;
    const flight: InFlight = { abort: new AbortController(), res };
    const signal = flight.abort.signal;
    this.inFlight.add(flight);
    res.on('close', () => {
      if (!res.writableFinished) flight.abort.abort();
    });
    // The client may have gone while its body was being read: 'close' has fired already.
    if (res.destroyed || res.socket?.destroyed !== false) flight.abort.abort();
    try {
      let last: Json = {};
      const emit = async (progress: Json): Promise<void> => {
        last = progress;
        if (stream) await writeLine(res, progress);
      };
      if (stream) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' }).flushHeaders();
      await emit({ status: 'pulling manifest' });
      await sleep(150 * this.cfg.timeScale, signal);
      if (signal.aborted) return;
      if (!model) {
        const error = 'pull model manifest: file does not exist';
        if (!stream) return sendJson(res, 500, { error });
        await writeLine(res, { error });
        return void res.end();
      }

      const already = this.installed.has(name);
      const layers = layersOf(model);
      const bigSteps = already ? 1 : 20;
      const totalLines = layers.reduce((n, l) => n + 1 + (l.size > 10_000_000 ? bigSteps : 1), 0);
      const gate = new StreamFaultGate(faults.cut(name), faults.stall(name), totalLines, stats, signal);
      let lines = 0;
      const progress = async (p: Json): Promise<boolean> => {
        const verdict = await gate.before(lines);
        if (verdict === 'cut') {
          cutConnection(res);
          return false;
        }
        if (signal.aborted) return false;
        await emit(p);
        lines++;
        return true;
      };
      for (const layer of layers) {
        const status = `pulling ${layer.digest.slice(0, 12)}`;
        const digest = `sha256:${layer.digest}`;
        if (!(await progress({ status, digest, total: layer.size }))) return;
        const steps = layer.size > 10_000_000 ? bigSteps : 1;
        for (let i = 1; i <= steps; i++) {
          const completed = Math.min(layer.size, Math.ceil((layer.size * i) / steps));
          if (!already) await sleep((layer.size / steps / this.cfg.pullBytesPerSec) * 1000 * this.cfg.timeScale, signal);
          if (!(await progress({ status, digest, total: layer.size, completed }))) return;
        }
      }
      await emit({ status: 'verifying sha256 digest' });
      await emit({ status: 'writing manifest' });
      if (signal.aborted) return;
      if (!already) this.installed.set(name, new Date());
      await emit({ status: 'success' });
      if (stream) res.end();
      else sendJson(res, 200, last);
    } finally {
      this.inFlight.delete(flight);
    }
  }
}

// ---------------------------------------------------------------------------
// Helpers

/** Applies a cut or stall fault at the right token; clamps to the answer's end so the fault always fires. */
class StreamFaultGate {
  private stalled = false;

  constructor(
    private readonly cut: CutFault | undefined,
    private readonly stall: StallFault | undefined,
    private readonly total: number,
    private readonly stats: StatsRecorder,
    private readonly signal: AbortSignal,
  ) {}

  async before(index: number): Promise<'go' | 'cut' | 'resumed'> {
    if (this.cut && index === Math.min(this.cut.afterTokens, this.total)) {
      this.stats.fault('cut');
      return 'cut';
    }
    if (this.stall && !this.stalled && index === Math.min(this.stall.afterTokens, this.total)) {
      this.stalled = true;
      this.stats.fault('stall');
      await (this.stall.ms === undefined ? untilAborted(this.signal) : sleep(this.stall.ms, this.signal));
      return 'resumed';
    }
    return 'go';
  }
}

interface Piece {
  text: string;
  thinking: boolean;
}

/** Applies `stop` to the content and `num_predict` to thinking+content; says why generation ended. */
export function shapeAnswer(thinking: string, content: string, options: Json): { pieces: Piece[]; doneReason: 'stop' | 'length' } {
  const stops = (Array.isArray(options.stop) ? options.stop : typeof options.stop === 'string' ? [options.stop] : [])
    .filter((s): s is string => typeof s === 'string' && s !== '');
  let cutAt = content.length;
  for (const s of stops) {
    const i = content.indexOf(s);
    if (i >= 0 && i < cutAt) cutAt = i;
  }
  const pieces: Piece[] = [
    ...tokenize(thinking).map((text) => ({ text, thinking: true })),
    ...tokenize(content.slice(0, cutAt)).map((text) => ({ text, thinking: false })),
  ];
  const limit = typeof options.num_predict === 'number' && options.num_predict > 0 ? Math.floor(options.num_predict) : Infinity;
  if (pieces.length > limit) return { pieces: pieces.slice(0, limit), doneReason: 'length' };
  return { pieces, doneReason: 'stop' };
}

function chunkFor(kind: 'chat' | 'generate', model: string, piece: Piece): Json {
  const created_at = new Date().toISOString();
  if (kind === 'chat') {
    const message = piece.thinking ? { role: 'assistant', content: '', thinking: piece.text } : { role: 'assistant', content: piece.text };
    return { model, created_at, message, done: false };
  }
  return piece.thinking
    ? { model, created_at, response: '', thinking: piece.text, done: false }
    : { model, created_at, response: piece.text, done: false };
}

function contextIds(messages: AnswerMessage[], response: string, previous: unknown): number[] {
  const before = Array.isArray(previous) ? previous.filter((x): x is number => typeof x === 'number') : [];
  const prompt = messages.flatMap((m) => tokenize(m.content).map(tokenId));
  return [...before, ...prompt, ...tokenize(response).map(tokenId)];
}

function layersOf(model: SimModel): Array<{ digest: string; size: number }> {
  const small = [
    { digest: sha256Hex(`${model.name}:template`), size: 1_429 },
    { digest: sha256Hex(`${model.name}:license`), size: 7_711 },
    { digest: sha256Hex(`${model.name}:params`), size: 96 },
    { digest: sha256Hex(`${model.name}:config`), size: 561 },
  ];
  const rest = small.reduce((n, l) => n + l.size, 0);
  return [{ digest: sha256Hex(`${model.name}:weights`), size: Math.max(1, model.sizeBytes - rest) }, ...small];
}

function digestOf(model: SimModel): string {
  return sha256Hex(`${model.name}:manifest`);
}

/** Memory a loaded model takes (weights plus KV cache and compute buffers), as `/api/ps` shows it. */
function memorySize(model: SimModel): number {
  return Math.round(model.sizeBytes * 1.12 + 268_435_456);
}

function details(model: SimModel): Json {
  return {
    parent_model: '',
    format: 'gguf',
    family: model.family,
    families: [model.family],
    parameter_size: model.parameterSize,
    quantization_level: model.quantization,
  };
}

function templateFor(model: SimModel): string {
  if (model.family.startsWith('llama')) {
    return '{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n';
  }
  if (model.family.startsWith('gemma')) {
    return '{{- range .Messages }}<start_of_turn>{{ if eq .Role "assistant" }}model{{ else }}{{ .Role }}{{ end }}\n{{ .Content }}<end_of_turn>\n{{ end }}<start_of_turn>model\n';
  }
  return '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n';
}

function stopTokensFor(model: SimModel): string[] {
  if (model.family.startsWith('llama')) return ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'];
  if (model.family.startsWith('gemma')) return ['<start_of_turn>', '<end_of_turn>'];
  return ['<|im_start|>', '<|im_end|>'];
}

function toNs(ms: number): number {
  return Math.max(1, Math.round(ms * 1e6));
}

function positiveInt(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? Math.floor(x) : undefined;
}

function str(x: unknown): string {
  return typeof x === 'string' ? x : '';
}

function isRecord(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Closes the connection mid-response: what was written still reaches the client
 * (http corks the socket, so a plain destroy would drop it), then FIN without the
 * chunked terminator — the client sees the body end early.
 */
function cutConnection(res: http.ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  socket.end(() => socket.destroy());
}

/** Writes one NDJSON line, waiting for the socket to drain when it is full. */
function writeLine(res: http.ServerResponse, value: unknown): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  if (res.write(`${JSON.stringify(value)}\n`)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
