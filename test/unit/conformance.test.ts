/**
 * Dotprompt specification conformance: every case of the spec's YAML files is rendered through
 * `renderPrompt` (the pipeline the extension uses) and compared with the spec's `expect`, first at the
 * Dotprompt level (role + parts, config, ext, input, output, raw), then as the Ollama request
 * (roles system/user/model → system/user/assistant, text parts concatenated, config → options,
 * output schema → format).
 *
 * The spec folder is `../shared/conformance/dotprompt-spec` from the repo root, or `DOTPROMPT_SPEC_DIR`.
 * A missing folder fails the run: conformance that silently does not run is no conformance.
 */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Message } from 'dotprompt';
import { renderPrompt } from '../../src/core/prompt';
import type { OllamaChatMessage, RenderedPrompt } from '../../src/core/prompt';

const repoRoot = path.resolve(__dirname, '..', '..');
const specDir = process.env.DOTPROMPT_SPEC_DIR
  ? path.resolve(process.env.DOTPROMPT_SPEC_DIR)
  : path.resolve(repoRoot, '../shared/conformance/dotprompt-spec');

/**
 * Cases that do not apply to text prompts sent to Ollama. Every entry must name an existing case.
 * Empty on purpose: media cases apply (their http URLs must be reported, not sent, which is checked),
 * section markers carry no text (checked: they vanish from the Ollama content), history and
 * named schemas are supported. Add an entry here, never a silent `continue`.
 */
const skipped: readonly { file: string; suite: string; desc: string; reason: string }[] = [];

interface SpecCase {
  desc?: string;
  data?: SpecData;
  options?: Record<string, unknown>;
  expect: Record<string, unknown> & { messages?: Message[] };
}
interface SpecData {
  input?: Record<string, unknown>;
  context?: Record<string, unknown>;
  messages?: Message[];
}
interface SpecSuite {
  name: string;
  template: string;
  data?: SpecData;
  schemas?: Record<string, Record<string, unknown>>;
  partials?: Record<string, string>;
  resolverPartials?: Record<string, string>;
  tests: SpecCase[];
}

function specFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f) && statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** Vitest's toEqual, as the spec's own runner uses: properties holding undefined do not count. */
function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, dropUndefined(v)]));
}

const ollamaRole: Record<string, string> = { system: 'system', user: 'user', model: 'assistant' };
const ollamaOptionName: Record<string, string> = { temperature: 'temperature', maxOutputTokens: 'num_predict', topK: 'top_k', topP: 'top_p', stopSequences: 'stop' };

/** The Ollama request the spec's expected messages stand for, derived independently of the code under test. */
function expectedOllamaMessages(messages: Message[]): { messages: OllamaChatMessage[]; droppedUrls: string[] } {
  const droppedUrls: string[] = [];
  const out = messages.map((m) => {
    const images: string[] = [];
    let content = '';
    for (const part of m.content) {
      if (typeof part.text === 'string') content += part.text;
      else if (part.media) {
        const base64 = /^data:image\/[^;,]+;base64,(.*)$/s.exec(part.media.url)?.[1];
        if (base64 !== undefined) images.push(base64);
        else droppedUrls.push(part.media.url);
      }
    }
    const role = ollamaRole[m.role];
    assert.ok(role, `the spec uses role ${m.role}, which has no Ollama mapping`);
    return (images.length ? { role, content, images } : { role, content }) as OllamaChatMessage;
  });
  return { messages: out, droppedUrls };
}

function checkOllamaRequest(result: RenderedPrompt, tc: SpecCase, input: Record<string, unknown>): void {
  const expected = expectedOllamaMessages(tc.expect.messages ?? []);
  assert.deepEqual(result.messages, expected.messages, 'Ollama messages');
  for (const url of expected.droppedUrls) {
    assert.ok(result.warnings.some((w) => w.includes(url)), `a warning names the media URL ${url} that cannot be sent to Ollama`);
  }
  const config = (tc.expect.config ?? {}) as Record<string, unknown>;
  const options = Object.fromEntries(Object.entries(config).map(([k, v]) => [ollamaOptionName[k] ?? k, v]));
  assert.deepEqual(result.options, options, 'Ollama options');
  if (typeof tc.expect.model === 'string') assert.equal(result.model, tc.expect.model.replace(/^ollama\//, ''), 'Ollama model');
  const output = tc.expect.output as { schema?: unknown; format?: string } | undefined;
  assert.deepEqual(result.format, output?.schema ?? (output?.format === 'json' ? 'json' : undefined), 'Ollama format');
  const defaults = ((tc.options?.input as { default?: Record<string, unknown> } | undefined)?.default ?? {});
  assert.deepEqual(result.input, { ...defaults, ...input }, 'effective input');
}

const counts = new Map<string, { passed: number; skipped: number; failed: number }>();
const usedSkips = new Set<(typeof skipped)[number]>();

if (!existsSync(specDir) || !statSync(specDir).isDirectory()) {
  void it('the Dotprompt spec folder exists', () => {
    assert.fail(
      `Dotprompt spec folder not found at ${specDir}. ` +
        (process.env.DOTPROMPT_SPEC_DIR
          ? 'DOTPROMPT_SPEC_DIR points to a folder that does not exist.'
          : 'Put the spec YAML files at ../shared/conformance/dotprompt-spec beside the repo, or set DOTPROMPT_SPEC_DIR.'),
    );
  });
} else {
  const files = specFiles(specDir);
  void it('the Dotprompt spec folder has YAML files', () => {
    assert.ok(files.length > 0, `no .yaml files under ${specDir}`);
  });

  for (const file of files) {
    const suites = parseYaml(readFileSync(path.join(specDir, file), 'utf8')) as SpecSuite[];
    const count = { passed: 0, skipped: 0, failed: 0 };
    counts.set(file, count);
    void describe(file, () => {
      for (const suite of suites) {
        for (const tc of suite.tests) {
          const desc = tc.desc ?? 'should match expected output';
          const skip = skipped.find((s) => s.file === file && s.suite === suite.name && s.desc === desc);
          if (skip) {
            usedSkips.add(skip);
            count.skipped++;
            void it(`${suite.name} > ${desc}`, { skip: skip.reason }, () => undefined);
            continue;
          }
          void it(`${suite.name} > ${desc}`, async () => {
            count.failed++;
            const data: SpecData = { ...suite.data, ...tc.data };
            const input = data.input ?? {};
            const result = await renderPrompt(suite.template, input, {
              partials: suite.partials,
              resolvePartial: (name) => suite.resolverPartials?.[name],
              context: data.context,
              messages: data.messages,
              schemas: suite.schemas,
              metadata: tc.options,
            });

            const { raw, ...rendered } = result.dotprompt;
            const { raw: expectedRaw, ...expected } = tc.expect;
            assert.deepEqual(
              dropUndefined(rendered),
              dropUndefined({ ...expected, ext: expected.ext ?? {}, config: expected.config ?? {}, metadata: expected.metadata ?? {} }),
              'Dotprompt rendering',
            );
            if (expectedRaw !== undefined) assert.deepEqual(raw, expectedRaw, 'raw frontmatter');
            checkOllamaRequest(result, tc, input);
            count.failed--;
            count.passed++;
          });
        }
      }
    });
  }

  void it('every skip-table entry names an existing spec case', () => {
    const stale = skipped.filter((s) => !usedSkips.has(s));
    assert.deepEqual(stale, [], 'skip entries that match no case');
  });
}

after(() => {
  const lines = ['Dotprompt spec conformance (' + specDir + ')', 'file                          passed  skipped  failed'];
  for (const [file, c] of counts) lines.push(`${file.padEnd(30)}${String(c.passed).padStart(6)}${String(c.skipped).padStart(9)}${String(c.failed).padStart(8)}`);
  const total = [...counts.values()].reduce((t, c) => ({ passed: t.passed + c.passed, skipped: t.skipped + c.skipped, failed: t.failed + c.failed }), { passed: 0, skipped: 0, failed: 0 });
  lines.push(`${'total'.padEnd(30)}${String(total.passed).padStart(6)}${String(total.skipped).padStart(9)}${String(total.failed).padStart(8)}`);
  lines.push(skipped.length ? 'Skipped cases:' : 'Skipped cases: none (every case applies to text prompts for Ollama)');
  for (const s of skipped) lines.push(`  ${s.file} / ${s.suite} / ${s.desc}: ${s.reason}`);
  console.log(lines.join('\n'));
});
