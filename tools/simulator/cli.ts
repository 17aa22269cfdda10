import { readFileSync } from 'node:fs';
import type { FaultConfig, SimModel, SimulatorConfig } from './config';
import { defaultModels, parseModelSpec, resolveConfig } from './config';
import { parseFaultSpec } from './faults';
import { startSimulator } from './server';

/** `npm run sim -- [flags]`: an Ollama-compatible server for demos, benchmarks and manual tests. */

export const cliUsage = `Usage: npm run sim -- [options]

Starts an Ollama-compatible server on 127.0.0.1 (never on other interfaces).

Options:
  --port N                 Port to listen on (default 11434; 0 = any free port)
  --models SPEC[,SPEC…]    Installed models, replacing the defaults. SPEC is
                           name:sizeGB:loadMs:genTps, e.g. llama3.2:2.0:1800:55
                           (the name may carry a tag: qwen2.5:7b:4.7:3500:28)
  --pullable SPEC[,SPEC…]  Models that are not installed but /api/pull can fetch
  --max-loaded N           Models that fit in memory at once (default 3)
  --parallel N             Requests one model serves at once (default 1)
  --contention X           Slow-down per extra busy slot (default 0.3)
  --time-scale X           0 = no latency, 1 = real time (default), 0.1 = 10x faster
  --keep-alive D           Default keep_alive, e.g. 5m, 30s, -1 (default 5m)
  --pull-speed MBps        Download speed for pulls (default 100)
  --fault SPEC             Inject a fault (repeatable):
                             refuse[:closed|reset][:forMs]
                             404:model            500:model[:everyNth]
                             cut:model:N          stall:model:N[:ms|forever]
                             slowload:model:ms    (model * = every model)
  --config FILE.json       Partial SimulatorConfig (flags given here win)
  --help                   Show this help

Control endpoints: GET /sim/stats, GET|POST /sim/faults, GET|POST /sim/config, POST /sim/reset`;

export interface CliOptions {
  help: boolean;
  config: Partial<SimulatorConfig>;
}

/** Parses CLI flags into a partial config (the config file first, flags over it). */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const flags = new Map<string, string[]>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument "${arg}" (see --help)`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value (see --help)`);
      i++;
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }

  const known = new Set(['port', 'models', 'pullable', 'max-loaded', 'parallel', 'contention', 'time-scale', 'keep-alive', 'pull-speed', 'fault', 'config']);
  for (const name of flags.keys()) {
    if (!known.has(name)) throw new Error(`Unknown option --${name} (see --help)`);
  }
  const one = (name: string): string | undefined => flags.get(name)?.at(-1);
  const num = (name: string): number | undefined => {
    const v = one(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${v}"`);
    return n;
  };

  const configFile = one('config');
  const config: Partial<SimulatorConfig> = configFile ? readConfigFile(configFile) : {};
  config.port = num('port') ?? config.port ?? 11434;
  const maxLoaded = num('max-loaded');
  if (maxLoaded !== undefined) config.maxLoaded = maxLoaded;
  const parallel = num('parallel');
  if (parallel !== undefined) config.parallel = parallel;
  const contention = num('contention');
  if (contention !== undefined) config.parallelContention = contention;
  const timeScale = num('time-scale');
  if (timeScale !== undefined) config.timeScale = timeScale;
  const pullSpeed = num('pull-speed');
  if (pullSpeed !== undefined) config.pullBytesPerSec = pullSpeed * 1_000_000;
  const keepAlive = one('keep-alive');
  if (keepAlive !== undefined) config.defaultKeepAlive = /^-?\d+(\.\d+)?$/.test(keepAlive) ? Number(keepAlive) : keepAlive;

  const specs = (name: string): string[] => (flags.get(name) ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  if (flags.has('models') || flags.has('pullable')) {
    const base: SimModel[] = flags.has('models')
      ? specs('models').map(parseModelSpec)
      : (config.models ?? defaultModels()).filter((m) => m.installed !== false);
    const pullable = specs('pullable').map((s) => ({ ...parseModelSpec(s), installed: false }));
    config.models = [...base, ...pullable];
  }

  if (flags.has('fault')) {
    const faults: FaultConfig = structuredClone(config.faults ?? {});
    for (const spec of flags.get('fault') ?? []) parseFaultSpec(spec, faults);
    config.faults = faults;
  }
  resolveConfig(config); // validates, so mistakes surface before the server starts
  return { help, config };
}

function readConfigFile(path: string): Partial<SimulatorConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read config file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`Config file ${path} must hold a JSON object`);
  return parsed;
}

async function main(argv: readonly string[]): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliArgs(argv);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(cliUsage);
    return;
  }
  const sim = await startSimulator(options.config);
  const models = sim.config.models;
  const installed = models.filter((m) => m.installed !== false).map((m) => m.name);
  const pullable = models.filter((m) => m.installed === false).map((m) => m.name);
  const refusing = sim.config.faults.refuse ? '; refusing connections (fault)' : '';
  console.log(`Ollama simulator listening on ${sim.url} (models: ${installed.join(', ')}${pullable.length ? `; pullable: ${pullable.join(', ')}` : ''}${refusing})`);

  // While a `refuse:closed` fault has the listener down, nothing else keeps the process alive.
  const keepProcess = setInterval(() => undefined, 1 << 30);
  const stop = (): void => {
    clearInterval(keepProcess);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && /simulator[\\/]cli\.[cm]?[jt]s$/.test(process.argv[1])) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
