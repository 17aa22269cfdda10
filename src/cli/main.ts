/**
 * `prompt-loop`: the sweep engine from a terminal, for CI and scripts. Writes to
 * the same workspace store as the VS Code extension, so a sweep run here is
 * cached there and the other way round.
 *
 *   prompt-loop sweep <file.prompt> [--models a,b] [--cases FILE] [--variants base,concise]
 *                     [--repeat N] [--temperatures 0,0.7] [--seeds 1,2] [--parallel N]
 *                     [--host URL] [--store DIR] [--json OUT] [--csv OUT] [--no-cache] [--timeout S]
 *
 * Exit codes: 0 every cell answered, 1 some cells failed, 2 bad usage or input, 130 interrupted.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Ollama } from 'ollama';
import { modelMatches } from '../core/analysis';
import { caseFileCandidates, parseCases, promptFamily } from '../core/cases';
import type { TestCase } from '../core/cases';
import { familyIdOf, groupFamilies, isPromptFile, variantLabel } from '../core/family';
import { listModels, resolveOllamaHost } from '../core/ollamaClient';
import type { InstalledModel } from '../core/ollamaClient';
import { folderPartialResolver, renderPrompt, toOllamaModelName } from '../core/prompt';
import type { SweepCellView, SweepProgress, SweepSummary } from '../core/protocol';
import { ownerInfo, PromptStore } from '../core/store/promptStore';
import { exportRows, toCsv } from '../core/sweep/export';
import { paramsLabel, planSweep } from '../core/sweep/plan';
import type { SweepRequest } from '../core/sweep/plan';
import { SweepRun } from '../core/sweep/runner';

/** A user error: printed without a stack, exit code 2. */
class UsageError extends Error {}

const usage = `Usage: prompt-loop sweep <file.prompt> [options]

Runs a variant sweep (variants × models × cases × parameters × repeats) against
Ollama and prints a summary. Answers go to the workspace store, shared with the
Prompt Loop extension: cells answered before come from the cache.

Options:
  --models a,b          models to run (default: the prompt's frontmatter model)
  --cases FILE          test cases: YAML list, JSONL or CSV with a header row
                        (default: <family>.cases.yaml|jsonl|csv beside the prompt)
  --variants a,b        variants of the family (base = the base prompt; default: all)
  --repeat N            requests per cell (default 1)
  --temperatures 0,0.7  a temperature grid
  --seeds 1,2           a seed grid
  --parallel N          requests in flight (default 1, like Ollama's default)
  --host URL            Ollama host (default: OLLAMA_HOST, else http://127.0.0.1:11434)
  --store DIR           the store folder (default: the nearest .promptloop above the
                        prompt, else ./.promptloop)
  --json FILE           write the results (rows and summaries) as JSON
  --csv FILE            write the results as CSV
  --no-cache            ask Ollama again even for cells answered before
  --timeout S           give up on a request silent for S seconds (default 300)
  -q, --quiet           only the summary
  -h, --help            this text
`;

interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** Runs the CLI; resolves the exit code. */
export async function main(argv: string[], io: Io = { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') }, env = process.env): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        models: { type: 'string' },
        cases: { type: 'string' },
        variants: { type: 'string' },
        repeat: { type: 'string' },
        temperatures: { type: 'string' },
        seeds: { type: 'string' },
        parallel: { type: 'string' },
        host: { type: 'string' },
        store: { type: 'string' },
        json: { type: 'string' },
        csv: { type: 'string' },
        'no-cache': { type: 'boolean' },
        timeout: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`prompt-loop: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  const [command, file, ...rest] = args.positionals;
  if (args.values.help || !command) {
    io.out(usage);
    return command || args.values.help ? 0 : 2;
  }
  try {
    if (command !== 'sweep') throw new UsageError(`unknown command "${command}" (try: prompt-loop sweep <file.prompt>)`);
    if (!file) throw new UsageError('sweep needs a .prompt file');
    if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    return await sweep(file, args.values, io, env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`prompt-loop: ${error.message}`);
      return 2;
    }
    io.err(`prompt-loop: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

interface SweepFlags {
  models?: string;
  cases?: string;
  variants?: string;
  repeat?: string;
  temperatures?: string;
  seeds?: string;
  parallel?: string;
  host?: string;
  store?: string;
  json?: string;
  csv?: string;
  'no-cache'?: boolean;
  timeout?: string;
  quiet?: boolean;
}

async function sweep(file: string, flags: SweepFlags, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const promptPath = path.resolve(file);
  if (!existsSync(promptPath)) throw new UsageError(`${file}: no such file`);
  if (!isPromptFile(promptPath)) throw new UsageError(`${file}: not a .prompt file (partials, whose names start with _, cannot be swept)`);
  const { folder, family: familyName } = promptFamily(promptPath);
  const storeDir = flags.store ? path.resolve(flags.store) : findStore(folder) ?? path.resolve('.promptloop');
  const root = path.dirname(storeDir);
  const family = groupFamilies(readdirSync(folder).map((name) => path.join(folder, name)), root).find((f) => f.id === familyIdOf(promptPath, root));
  if (!family) throw new UsageError(`${file}: no prompt family found`);

  // Variants.
  const wanted = list(flags.variants)?.map((v) => (v === 'base' ? '' : v));
  const variants = wanted ? wanted.map((name) => {
    const found = family.variants.find((v) => v.variant === name);
    if (!found) throw new UsageError(`--variants: ${familyName} has no variant "${variantLabel(name)}" (it has: ${family.variants.map((v) => variantLabel(v.variant)).join(', ')})`);
    return found;
  }) : family.variants;

  // Cases.
  const casesPath = flags.cases ? path.resolve(flags.cases) : caseFileCandidates(promptPath).find((candidate) => existsSync(candidate));
  let cases: TestCase[] = [];
  if (casesPath) {
    if (!existsSync(casesPath)) throw new UsageError(`--cases: ${flags.cases}: no such file`);
    const parsed = parseCases(readFileSync(casesPath, 'utf8'), casesPath);
    if (parsed.problems.length > 0) {
      throw new UsageError(`${path.relative(process.cwd(), casesPath)}:\n${parsed.problems.map((p) => `  line ${p.line + 1}: ${p.message}`).join('\n')}`);
    }
    cases = parsed.cases;
  }

  // Models and host.
  const host = flags.host ? resolveOllamaHost(flags.host, undefined) : resolveOllamaHost(undefined, env.OLLAMA_HOST);
  const client = new Ollama({ host });
  let installed: InstalledModel[];
  try {
    installed = await listModels(client);
  } catch (error) {
    io.err(`prompt-loop: Ollama is not reachable at ${host} (${error instanceof Error ? error.message : String(error)}). Start it with \`ollama serve\`, or pass --host / set OLLAMA_HOST.`);
    return 2;
  }
  const sources = variants.map((v) => ({ variant: v.variant, source: readFileSync(v.path, 'utf8'), path: v.path }));
  let models = list(flags.models)?.map((m) => toOllamaModelName(m) ?? m);
  if (!models) {
    const rendered = await renderPrompt(sources[0].source, cases[0]?.input ?? {}, { resolvePartial: folderPartialResolver(folder) }).catch(() => undefined);
    if (!rendered?.model) throw new UsageError('--models is needed: the prompt names no model in its frontmatter');
    models = [rendered.model];
  }
  const digests = new Map<string, string | undefined>();
  for (const model of models) digests.set(model, installed.find((m) => modelMatches(model, m.name))?.digest);

  const request: SweepRequest = {
    family: { id: family.id, name: family.name, path: path.relative(process.cwd(), family.variants[0].path) },
    variants: sources,
    models,
    cases,
    grid: { temperatures: numbers(flags.temperatures, '--temperatures'), seeds: numbers(flags.seeds, '--seeds') },
    repeats: positiveInt(flags.repeat, '--repeat') ?? 1,
  };
  const plan = await planSweep(request, async (variant, input) => {
    const rendered = await renderPrompt(variant.source, input, { resolvePartial: folderPartialResolver(path.dirname(variant.path)) });
    return { messages: rendered.messages, options: rendered.options, format: rendered.format };
  });

  let storeProblems = 0;
  const store = await PromptStore.open(storeDir, {
    onProblem: (problem) => {
      storeProblems++;
      io.err(`prompt-loop: store: ${problem.message}`);
    },
  });
  const quiet = flags.quiet === true;
  if (!quiet) {
    io.out(`Sweep ${family.id}: ${plan.cells.length} cells = ${plan.variants.length} variants × ${plan.models.length} models × ${plan.cases.length} cases × ${plan.params.length} params × ${plan.repeats} repeats`);
    io.out(`Ollama ${host}, ${positiveInt(flags.parallel, '--parallel') ?? 1} in flight; store ${path.relative(process.cwd(), storeDir) || '.'}`);
  }
  const run = new SweepRun({
    plan,
    hosts: [{ url: host, client, slots: positiveInt(flags.parallel, '--parallel') ?? 1, models: installed.map((m) => m.name) }],
    digests,
    store,
    owner: ownerInfo(),
    useCache: flags['no-cache'] !== true,
    idleTimeoutMs: (positiveInt(flags.timeout, '--timeout') ?? 300) * 1000,
    onCellSettled: (cell, progress) => {
      if (!quiet) io.out(cellLine(cell, plan.cases[cell.caseIndex]?.label ?? '', paramsLabel(plan.params[cell.paramsIndex] ?? {}), progress));
    },
    onStoreError: (error) => {
      storeProblems++;
      io.err(`prompt-loop: could not save an answer: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  const interrupt = () => {
    io.err('prompt-loop: interrupted; finished cells are kept (run again to finish the rest)');
    run.cancel();
  };
  process.once('SIGINT', interrupt);
  let outcome;
  try {
    outcome = await run.start();
  } finally {
    process.off('SIGINT', interrupt);
    await store.close();
  }

  io.out('');
  for (const line of summaryTable(outcome.view.summaries.filter((s) => s.model !== undefined), plan.params.length > 1 ? plan.params.map(paramsLabel) : undefined)) io.out(line);
  const p = outcome.progress;
  io.out('');
  io.out(`${p.done} of ${p.total} answered (${p.cached} from the cache), ${p.failed} failed${p.cancelled ? `, ${p.cancelled} cancelled` : ''}; ${outcome.scheduler.requests} requests, ${outcome.scheduler.retries} retries.`);

  const rows = exportRows(outcome.view);
  if (flags.json) {
    writeFileSync(flags.json, JSON.stringify({ sweepId: outcome.view.sweepId, family: family.id, state: outcome.view.state, progress: p, summaries: outcome.view.summaries, cells: rows }, null, 2) + '\n');
    if (!quiet) io.out(`Wrote ${flags.json}`);
  }
  if (flags.csv) {
    writeFileSync(flags.csv, toCsv(rows));
    if (!quiet) io.out(`Wrote ${flags.csv}`);
  }
  if (outcome.view.state === 'cancelled') return 130;
  return p.failed > 0 || storeProblems > 0 ? 1 : 0;
}

/** The nearest `.promptloop` folder at or above `folder`. */
function findStore(folder: string): string | undefined {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.promptloop');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

function numbers(value: string | undefined, flag: string): number[] | undefined {
  const items = list(value);
  if (!items) return undefined;
  const parsed = items.map(Number);
  if (parsed.some((n) => !Number.isFinite(n))) throw new UsageError(`${flag}: numbers separated by commas, e.g. 0,0.7`);
  return parsed;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: a whole number of at least 1`);
  return n;
}

const statusMarks: Record<string, string> = { done: '✓', cached: '=', failed: '✗', cancelled: '-' };

function cellLine(cell: SweepCellView, caseLabelText: string, params: string, p: SweepProgress): string {
  const settled = p.done + p.failed + p.cancelled;
  const m = cell.metrics;
  const numbersText = cell.status === 'failed'
    ? cell.error?.message ?? 'failed'
    : [m?.totalMs !== undefined ? `${(m.totalMs / 1000).toFixed(1)} s` : '', m?.answerTokens !== undefined ? `${m.answerTokens} tok` : ''].filter(Boolean).join(', ');
  const where = [variantLabel(cell.variant), cell.model, caseLabelText.replace(/:.*/, ''), params, cell.repeat > 0 ? `#${cell.repeat + 1}` : ''].filter(Boolean).join('  ');
  return `[${String(settled).padStart(String(p.total).length)}/${p.total}] ${statusMarks[cell.status] ?? '?'} ${where}  ${cell.status === 'cached' ? 'cached' : numbersText}`;
}

/** A plain-text table: one row per variant × model (× params). */
export function summaryTable(summaries: readonly SweepSummary[], paramLabels?: readonly string[]): string[] {
  const header = ['variant', 'model', ...(paramLabels ? ['params'] : []), 'done', 'failed', 'mean s', 'TTFT s', 'tok/s'];
  const rows = summaries.map((s) => [
    variantLabel(s.variant),
    s.model ?? '',
    ...(paramLabels ? [paramLabels[s.paramsIndex ?? 0] ?? ''] : []),
    `${s.done}/${s.cells}`,
    String(s.failed),
    s.meanTotalMs === undefined ? '—' : (s.meanTotalMs / 1000).toFixed(2),
    s.meanTtftMs === undefined ? '—' : (s.meanTtftMs / 1000).toFixed(2),
    s.meanTokensPerSecond === undefined ? '—' : s.meanTokensPerSecond.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= cells.length - 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`prompt-loop: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(2);
    },
  );
}
