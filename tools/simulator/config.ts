/**
 * Configuration of the Ollama simulator: the models it pretends to have, its
 * timing model and the faults it injects. Plain data, so it can come from the
 * CLI, a JSON file, the programmatic API or the `/sim/config` endpoint.
 */

/** One model the simulator knows about, with the numbers that drive its timing. */
export interface SimModel {
  /** Canonical name as `ollama list` shows it, e.g. `llama3.2:latest`. */
  name: string;
  /** Size of the model file on disk, bytes (what `/api/tags` reports). */
  sizeBytes: number;
  family: string;
  /** As Ollama shows it, e.g. `3.2B`. */
  parameterSize: string;
  /** As Ollama shows it, e.g. `Q4_K_M`. */
  quantization: string;
  /** Time to load the model into memory, milliseconds of model time. */
  loadMs: number;
  /** Prompt evaluation speed, tokens per second of model time. */
  promptTokensPerSec: number;
  /** Generation speed, tokens per second of model time. */
  genTokensPerSec: number;
  /** False: not installed, but `/api/pull` can fetch it. Default true. */
  installed?: boolean;
  /** Has the `thinking` capability (streams `message.thinking`). */
  thinking?: boolean;
  /** Context length the model was trained for (shown by `/api/show`). */
  contextLength?: number;
}

export type RefuseMode = 'closed' | 'reset';

/** Answer every Nth matching request (or every one) with an HTTP error. */
export interface ServerErrorFault {
  /** Model the fault applies to; omitted or `*` means every model. */
  model?: string;
  /** Fail only every Nth matching request (1 or omitted: every request). */
  everyNth?: number;
  /** HTTP status, default 500. */
  status?: number;
  /** Error text, default a runner crash message like real Ollama's. */
  message?: string;
}

/** Close the socket after N streamed tokens, without a done chunk. */
export interface CutFault {
  model?: string;
  afterTokens: number;
}

/** Stop sending after N tokens for `ms` wall-clock milliseconds, or forever. */
export interface StallFault {
  model?: string;
  afterTokens: number;
  /** Omitted: stall until the client gives up or the simulator closes. */
  ms?: number;
}

/** Make loading a model take this long (wall-clock ms, ignores timeScale). */
export interface SlowLoadFault {
  model?: string;
  loadMs: number;
}

/**
 * Faults to inject. Durations in faults are wall-clock milliseconds and ignore
 * `timeScale`, so a fault behaves the same in a fast test and in a demo.
 */
export interface FaultConfig {
  /**
   * `closed`: stop listening (clients get ECONNREFUSED, like Ollama not running).
   * `reset`: accept, then drop every API request without an answer
   * (`/sim/*` control endpoints keep working).
   */
  refuse?: RefuseMode;
  /** Lift `refuse` after this many ms (needed when set over HTTP with `closed`). */
  refuseForMs?: number;
  /** Models that answer 404 as if not pulled (chat, generate, show). */
  notFound?: string[];
  serverError?: ServerErrorFault[];
  cut?: CutFault[];
  stall?: StallFault[];
  slowLoad?: SlowLoadFault[];
}

export interface SimulatorConfig {
  /** Port to listen on, 127.0.0.1 only. 0 picks a free port. */
  port: number;
  models: SimModel[];
  /** How many models fit in memory at once (OLLAMA_MAX_LOADED_MODELS). */
  maxLoaded: number;
  /** Requests a loaded model serves at once (OLLAMA_NUM_PARALLEL); more queue. */
  parallel: number;
  /**
   * How much each extra busy slot slows every slot of the same model:
   * per-request speed is genTokensPerSec / (1 + contention × (busy − 1)).
   */
  parallelContention: number;
  /** Requests allowed to wait for a model before 503 (OLLAMA_MAX_QUEUE). */
  maxQueue: number;
  /** Multiplier on every model-time delay: 0 = no latency, 1 = real time, 0.1 = 10× faster. */
  timeScale: number;
  /** keep_alive used when a request gives none (Ollama: 5m). */
  defaultKeepAlive: string | number;
  /** Download speed for `/api/pull`, bytes per second of model time. */
  pullBytesPerSec: number;
  /** Context size used when a request sets no `num_ctx`. */
  defaultNumCtx: number;
  /** Reported by `/api/version`. */
  version: string;
  faults: FaultConfig;
}

const gb = 1_000_000_000;

/** A handful of realistic models with different sizes and speeds. */
export function defaultModels(): SimModel[] {
  return [
    {
      name: 'llama3.2:latest', sizeBytes: 2_019_393_189, family: 'llama', parameterSize: '3.2B',
      quantization: 'Q4_K_M', loadMs: 1800, promptTokensPerSec: 900, genTokensPerSec: 55, contextLength: 131072,
    },
    {
      name: 'qwen2.5:7b', sizeBytes: 4_683_087_332, family: 'qwen2', parameterSize: '7.6B',
      quantization: 'Q4_K_M', loadMs: 3500, promptTokensPerSec: 450, genTokensPerSec: 28, contextLength: 32768,
    },
    {
      name: 'gemma2:2b', sizeBytes: 1_629_518_495, family: 'gemma2', parameterSize: '2.6B',
      quantization: 'Q4_0', loadMs: 1400, promptTokensPerSec: 1100, genTokensPerSec: 70, contextLength: 8192,
    },
    {
      name: 'phi3:mini', sizeBytes: 2_176_178_913, family: 'phi3', parameterSize: '3.8B',
      quantization: 'Q4_0', loadMs: 1900, promptTokensPerSec: 800, genTokensPerSec: 48, contextLength: 131072,
    },
    {
      name: 'qwen3:4b', sizeBytes: 2_497_293_918, family: 'qwen3', parameterSize: '4.0B',
      quantization: 'Q4_K_M', loadMs: 2200, promptTokensPerSec: 700, genTokensPerSec: 40, contextLength: 40960,
      thinking: true,
    },
    {
      name: 'mistral:latest', sizeBytes: 4_113_301_824, family: 'llama', parameterSize: '7.2B',
      quantization: 'Q4_0', loadMs: 3200, promptTokensPerSec: 480, genTokensPerSec: 30, contextLength: 32768,
      installed: false,
    },
  ];
}

/** The configuration used when nothing is overridden. */
export function defaultConfig(): SimulatorConfig {
  return {
    port: 0,
    models: defaultModels(),
    maxLoaded: 3,
    parallel: 1,
    parallelContention: 0.3,
    maxQueue: 512,
    timeScale: 1,
    defaultKeepAlive: '5m',
    pullBytesPerSec: 100 * 1_000_000,
    defaultNumCtx: 4096,
    version: '0.12.6',
    faults: {},
  };
}

/** Defaults overlaid with `partial`; model names are normalized. */
export function resolveConfig(partial: Partial<SimulatorConfig> = {}, base: SimulatorConfig = defaultConfig()): SimulatorConfig {
  const merged: SimulatorConfig = { ...base, ...stripUndefined(partial) };
  merged.models = merged.models.map((m) => ({ ...m, name: normalizeModelName(m.name) }));
  merged.faults = { ...(partial.faults ?? base.faults) };
  validateConfig(merged);
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Throws a readable error for nonsense values (negative speeds, zero slots). */
export function validateConfig(c: SimulatorConfig): void {
  const problems: string[] = [];
  if (!Number.isInteger(c.port) || c.port < 0 || c.port > 65535) problems.push(`port must be 0..65535, got ${c.port}`);
  if (!Number.isInteger(c.maxLoaded) || c.maxLoaded < 1) problems.push(`maxLoaded must be an integer ≥ 1, got ${c.maxLoaded}`);
  if (!Number.isInteger(c.parallel) || c.parallel < 1) problems.push(`parallel must be an integer ≥ 1, got ${c.parallel}`);
  if (!(c.timeScale >= 0) || !Number.isFinite(c.timeScale)) problems.push(`timeScale must be ≥ 0, got ${c.timeScale}`);
  if (!(c.parallelContention >= 0)) problems.push(`parallelContention must be ≥ 0, got ${c.parallelContention}`);
  if (!(c.pullBytesPerSec > 0)) problems.push(`pullBytesPerSec must be > 0, got ${c.pullBytesPerSec}`);
  const seen = new Set<string>();
  for (const m of c.models) {
    if (!m.name) problems.push('every model needs a name');
    if (seen.has(m.name)) problems.push(`model ${m.name} is listed twice`);
    seen.add(m.name);
    if (!(m.genTokensPerSec > 0)) problems.push(`${m.name}: genTokensPerSec must be > 0`);
    if (!(m.promptTokensPerSec > 0)) problems.push(`${m.name}: promptTokensPerSec must be > 0`);
    if (!(m.loadMs >= 0)) problems.push(`${m.name}: loadMs must be ≥ 0`);
    if (!(m.sizeBytes > 0)) problems.push(`${m.name}: sizeBytes must be > 0`);
  }
  if (problems.length > 0) throw new Error(`Invalid simulator config: ${problems.join('; ')}`);
}

/**
 * Ollama's name rules, as far as clients see them: case-insensitive, the tag
 * defaults to `latest`, and the default registry/namespace may be spelled out.
 */
export function normalizeModelName(name: string): string {
  let n = name.trim().toLowerCase();
  n = n.replace(/^(https?:\/\/)?registry\.ollama\.ai\//, '').replace(/^library\//, '');
  const lastSegment = n.slice(n.lastIndexOf('/') + 1);
  if (n !== '' && !lastSegment.includes(':')) n += ':latest';
  return n;
}

/** True when a fault's `model` field (omitted or `*` = all) names `model`. */
export function faultTargets(faultModel: string | undefined, model: string): boolean {
  if (faultModel === undefined || faultModel === '*' || faultModel === 'all') return true;
  return normalizeModelName(faultModel) === normalizeModelName(model);
}

/**
 * A model spec from the CLI: `name:sizeGB:loadMs:genTps`. The name may itself
 * contain `:` (a tag), so the three numbers are read from the right. Fields the
 * spec does not give come from a default model of the same name, else are guessed.
 */
export function parseModelSpec(spec: string): SimModel {
  const parts = spec.split(':');
  if (parts.length < 4) throw new Error(`Model spec "${spec}" should look like name:sizeGB:loadMs:genTps`);
  const [sizeGb, loadMs, genTps] = parts.slice(-3).map(Number);
  const name = normalizeModelName(parts.slice(0, -3).join(':'));
  if (![sizeGb, loadMs, genTps].every((x) => Number.isFinite(x) && x >= 0)) {
    throw new Error(`Model spec "${spec}": sizeGB, loadMs and genTps must be numbers`);
  }
  const preset = defaultModels().find((m) => m.name === name);
  const base = name.split(':')[0].split('/').pop() ?? name;
  const tag = name.split(':')[1] ?? 'latest';
  const paramFromTag = /^(\d+(?:\.\d+)?)b$/.exec(tag);
  return {
    family: preset?.family ?? (/^[a-z]+\d*/.exec(base)?.[0] ?? base).replace(/\.\d+$/, ''),
    parameterSize: preset?.parameterSize ?? (paramFromTag ? `${paramFromTag[1]}B` : `${(sizeGb / 0.6).toFixed(1)}B`),
    quantization: preset?.quantization ?? 'Q4_K_M',
    promptTokensPerSec: preset?.promptTokensPerSec ?? Math.max(1, genTps * 18),
    contextLength: preset?.contextLength ?? 8192,
    thinking: preset?.thinking,
    name,
    sizeBytes: Math.round(sizeGb * gb),
    loadMs,
    genTokensPerSec: genTps,
  };
}

/**
 * Parses a Go-style duration as Ollama's keep_alive accepts it: a number is
 * seconds, a string is a Go duration (`5m`, `1h30m`, `-1`, `0`). Negative
 * means forever. Returns milliseconds, or an error message.
 */
export function parseKeepAlive(value: unknown): { ms: number } | { error: string } {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { error: 'invalid keep_alive' };
    return { ms: value < 0 ? Infinity : value * 1000 };
  }
  if (typeof value !== 'string') return { error: `json: cannot unmarshal ${typeof value} into Go struct field of type api.Duration` };
  const s = value.trim();
  if (s === '0' || s === '-0' || s === '+0') return { ms: 0 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let sign = 1;
  let rest = s;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '') return { error: `time: invalid duration "${value}"` };
  let total = 0;
  let consumed = 0;
  re.lastIndex = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    total += Number(m[1]) * unitMs[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== rest.length) {
    return { error: /^\d+(\.\d+)?$/.test(rest) ? `time: missing unit in duration "${value}"` : `time: invalid duration "${value}"` };
  }
  return { ms: sign < 0 ? Infinity : total };
}
