import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { startSimulator } from '../../tools/simulator/server';
import type { RunningSimulator } from '../../tools/simulator/server';

const repoRoot = path.resolve(__dirname, '../..');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('prompt-loop sweep (the headless CLI)', () => {
  let sim: RunningSimulator;
  let dir: string;
  let cwd: string;
  before(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.002 });
    dir = mkdtempSync(path.join(os.tmpdir(), 'prompt-loop-cli-'));
    cpSync(path.join(repoRoot, 'examples'), dir, { recursive: true, filter: (src) => !src.includes('.promptloop') });
    writeFileSync(path.join(dir, 'summarize.concise.prompt'), readFileSync(path.join(dir, 'summarize.prompt'), 'utf8').replace('at most {{maxBullets}} bullet points', 'one sentence'));
    cwd = process.cwd();
    process.chdir(dir);
  });
  after(async () => {
    process.chdir(cwd);
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sweeps every variant over the sidecar cases, prints a summary, writes the store and JSON', async () => {
    const { io, out } = capture();
    const code = await main(['sweep', 'summarize.prompt', '--models', 'llama3.2,gemma2:2b', '--json', 'out.json'], io, { OLLAMA_HOST: sim.url });
    assert.equal(code, 0, out.join('\n'));
    assert.match(out[0], /Sweep summarize: 12 cells = 2 variants × 2 models × 3 cases/);
    assert.ok(out.some((l) => /^base\s+llama3\.2\s+3\/3\s+0/.test(l)), 'a summary row per variant × model');
    assert.ok(out.some((l) => /^concise\s+gemma2:2b\s+3\/3/.test(l)));
    const json = JSON.parse(readFileSync('out.json', 'utf8')) as { progress: { done: number }; cells: { text: string; variant: string }[] };
    assert.equal(json.progress.done, 12);
    assert.equal(json.cells.length, 12);
    assert.ok(json.cells.every((c) => c.text.length > 0));
    assert.ok(existsSync(path.join(dir, '.promptloop', 'runs', 'summarize')), 'the run is in the store the extension reads');
    assert.equal(sim.stats.requests.byEndpoint['/api/chat'], 12);
  });

  it('a second run takes every cell from the store, with --variants and a CSV file of cases', async () => {
    const before = sim.stats.requests.byEndpoint['/api/chat'] ?? 0;
    const { io, out } = capture();
    const code = await main(['sweep', 'summarize.prompt', '--models', 'llama3.2', '--variants', 'base', '--csv', 'out.csv'], io, { OLLAMA_HOST: sim.url });
    assert.equal(code, 0);
    assert.match(out.at(-2) ?? out.join('\n'), /3 of 3 answered \(3 from the cache\)/);
    assert.equal((sim.stats.requests.byEndpoint['/api/chat'] ?? 0) - before, 0, 'no request');
    assert.equal(readFileSync('out.csv', 'utf8').trim().split('\r\n').length, 4, 'header + 3 rows');
    const csvCases = path.join(dir, 'tickets.csv');
    writeFileSync(csvCases, 'ticket\n"Refund, please"\nLogin broken\n');
    const second = capture();
    assert.equal(await main(['sweep', 'classify-ticket.prompt', '--cases', csvCases, '--host', sim.url, '-q'], second.io, {}), 0);
    assert.match(second.out.join('\n'), /2 of 2 answered/);
  });

  it('exits non-zero when cells fail, and 2 with a clear message on bad input', async () => {
    const failing = capture();
    assert.equal(await main(['sweep', 'classify-ticket.prompt', '--models', 'mistral', '-q'], failing.io, { OLLAMA_HOST: sim.url }), 1);
    assert.match(failing.out.join('\n'), /0 of 5 answered.*5 failed/);
    const cases: [string[], RegExp][] = [
      [['sweep', 'nope.prompt'], /nope\.prompt: no such file/],
      [['sweep', '_tone.prompt'], /not a \.prompt file \(partials/],
      [['sweep', 'summarize.prompt', '--variants', 'missing'], /has no variant "missing" \(it has: base, concise\)/],
      [['sweep', 'summarize.prompt', '--repeat', '0'], /--repeat: a whole number/],
      [['sweep', 'summarize.prompt', '--temperatures', 'hot'], /--temperatures: numbers/],
      [['bake'], /unknown command "bake"/],
      [['sweep', 'summarize.prompt', '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [argv, message] of cases) {
      const c = capture();
      assert.equal(await main(argv, c.io, { OLLAMA_HOST: sim.url }), 2, argv.join(' '));
      assert.match(c.err.join('\n'), message);
    }
    const down = capture();
    assert.equal(await main(['sweep', 'summarize.prompt', '--host', 'http://127.0.0.1:9'], down.io, {}), 2);
    assert.match(down.err.join('\n'), /not reachable at http:\/\/127\.0\.0\.1:9/);
  });

  it('the built bundle runs as `prompt-loop` with a help text', () => {
    const bundle = path.join(repoRoot, 'dist', 'cli.js');
    if (!existsSync(bundle)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot });
    const result = spawnSync(process.execPath, [bundle, '--help'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Usage: prompt-loop sweep <file\.prompt>/);
    assert.ok(readdirSync(dir).includes('.promptloop'));
  });
});
