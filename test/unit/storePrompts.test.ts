import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { PromptStore, writeFileAtomic } from '../../src/core/store/promptStore';
import type { StoreOptions } from '../../src/core/store/promptStore';
import type { PromptRecord } from '../../src/core/store/records';
import { answerRecord, hexKey, promptRecord } from './fixtures/store/records';
import { tempDir, withStore, lines } from './fixtures/store/withStore';
import { startWriter } from './fixtures/store/startWriter';




const hashesIn = async (file: string): Promise<string[]> => (await lines(file)).map((line) => (JSON.parse(line) as { hash: string }).hash);

/** A writeFile seam that records the names of the files written. */
function recordingWrites(): { names: string[]; writeFile: StoreOptions['writeFile'] } {
  const names: string[] = [];
  return { names, writeFile: (file, text) => (names.push(file.split(/[\\/]/).slice(-2).join('/')), writeFileAtomic(file, text)) };
}

test('prompts: round trip through the store and a fresh one; missing and non-hex hashes are absent', async () => {
  await withStore(async (store, dir) => {
    const records: PromptRecord[] = [
      promptRecord(hexKey('ab', 1)),
      promptRecord(hexKey('ab', 2), { variant: 'concise', format: 'json', options: {} }),
      promptRecord(hexKey('cd', 1), {
        family: 'prompts/Résumé 🚀',
        format: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] },
        messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'again' }],
        input: {},
      }),
    ];
    await store.putPrompts(records);
    const wanted = [...records.map((record) => record.hash), hexKey('ab', 9), hexKey('ef', 1), 'not hex', ''];
    const found = await store.getPrompts(wanted);
    assert.deepEqual([...found.keys()].sort(), records.map((record) => record.hash).sort());
    for (const record of records) assert.deepEqual(found.get(record.hash), record);
    // The caller owns what it gets: changing it changes nothing stored.
    found.get(records[0].hash)!.messages[0].content = 'changed';
    assert.deepEqual((await store.getPrompts([records[0].hash])).get(records[0].hash), records[0]);

    const fresh = await PromptStore.open(dir);
    const again = await fresh.getPrompts(new Set(records.map((record) => record.hash)));
    assert.deepEqual([...again.values()].sort((a, b) => (a.hash < b.hash ? -1 : 1)), records);
    assert.equal(fresh.stats().loadedPromptShards, 2);
    assert.equal(fresh.stats().loadedAnswerShards, 0);
    await fresh.close();
    assert.deepEqual(await store.getPrompts([]), new Map());
  });
});

test('prompts: invalid records are refused before anything is written', async () => {
  await withStore(async (store, dir) => {
    await assert.rejects(store.putPrompts([promptRecord(hexKey('ab', 1)), promptRecord('zz-not-hex')]), /two hex digits/);
    await assert.rejects(store.putPrompts([promptRecord('')]), TypeError);
    await assert.rejects(store.putPrompts([promptRecord(hexKey('ab', 1), { family: '' })]), TypeError);
    assert.equal(existsSync(join(dir, 'prompts')), false);
  });
});

test('prompts: sharded by the first two hex digits of the hash, lines by hash, nothing else touched', async () => {
  await withStore(async (store, dir) => {
    // Sorted by hash alone, not by when they were made.
    const made = (hash: string, createdAt: number): PromptRecord => promptRecord(hash, { createdAt });
    await store.putPrompts([made(hexKey('ab', 3), 1), made(hexKey('AB', 2), 3), made(hexKey('cd', 1), 1), made(hexKey('ab', 1), 2)]);
    assert.deepEqual(await readdir(dir), ['prompts']);
    assert.deepEqual((await readdir(join(dir, 'prompts'))).sort(), ['ab.jsonl', 'cd.jsonl']);
    // Code-unit order: upper-case hex sorts before lower-case.
    assert.deepEqual(await hashesIn(join(dir, 'prompts/ab.jsonl')), [hexKey('AB', 2), hexKey('ab', 1), hexKey('ab', 3)]);
    assert.deepEqual(await hashesIn(join(dir, 'prompts/cd.jsonl')), [hexKey('cd', 1)]);
    assert.equal((await store.getPrompts([hexKey('AB', 2)])).size, 1);
    // Answers and prompts with the same leading digits live in different files.
    await store.putAnswer(answerRecord(hexKey('ab', 1), { promptHash: hexKey('ab', 1) }));
    assert.deepEqual(await hashesIn(join(dir, 'prompts/ab.jsonl')), [hexKey('AB', 2), hexKey('ab', 1), hexKey('ab', 3)]);
    assert.equal((await lines(join(dir, 'answers/ab.jsonl'))).length, 1);
    assert.equal((await store.getAnswer(hexKey('ab', 1)))?.promptHash, hexKey('ab', 1));
  });
});

test('putPrompts: one write per touched shard; none when nothing is new; a stored hash is left as is', async () => {
  const writes = recordingWrites();
  await withStore(
    async (store, dir) => {
      const records = Array.from({ length: 60 }, (_, i) => promptRecord(hexKey(['aa', 'bb', 'cc'][i % 3], i), { createdAt: i }));
      await store.putPrompts(records);
      assert.deepEqual(writes.names.sort(), ['prompts/aa.jsonl', 'prompts/bb.jsonl', 'prompts/cc.jsonl']);
      assert.equal((await store.getPrompts(records.map((record) => record.hash))).size, 60);

      writes.names.length = 0;
      const before = await readFile(join(dir, 'prompts/aa.jsonl'), 'utf8');
      await store.putPrompts(records);
      // The same hash with other fields (another variant rendering the same request): kept as first stored.
      await store.putPrompts([{ ...records[0], variant: 'other', input: { article: 'other' }, createdAt: 99 }]);
      await Promise.all(records.map((record) => store.putPrompts([record])));
      assert.deepEqual(writes.names, []);
      assert.equal(await readFile(join(dir, 'prompts/aa.jsonl'), 'utf8'), before);
      assert.deepEqual((await store.getPrompts([records[0].hash])).get(records[0].hash), records[0]);

      // One new prompt among stored ones: only its shard is written. Within one call the first of a hash wins.
      const added = promptRecord(hexKey('bb', 1000), { variant: 'first' });
      await store.putPrompts([...records, added, { ...added, variant: 'second' }]);
      assert.deepEqual(writes.names, ['prompts/bb.jsonl']);
      assert.equal((await store.getPrompts([added.hash])).get(added.hash)?.variant, 'first');

      // Many concurrent calls join one batch: one write per shard.
      writes.names.length = 0;
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.putPrompts([promptRecord(hexKey(i % 2 === 0 ? 'dd' : 'ee', i))])));
      assert.deepEqual(writes.names.sort(), ['prompts/dd.jsonl', 'prompts/ee.jsonl']);
    },
    { writeFile: writes.writeFile },
  );
});

test('prompts: one stable line format (keys in order, nested keys sorted, undefined left out)', async () => {
  await withStore(async (store, dir) => {
    const record = promptRecord(hexKey('ab', 1), { format: undefined, options: { top_k: 3, seed: 1 }, input: { z: 1, a: { y: 2, b: 3 } } });
    await store.putPrompts([Object.fromEntries(Object.entries(record).reverse()) as unknown as PromptRecord]);
    const [line] = await lines(join(dir, 'prompts/ab.jsonl'));
    assert.equal(
      line,
      `{"hash":"${record.hash}","family":"summarize","variant":"","messages":[{"content":"Summarize the article in one sentence.","role":"system"},` +
        `{"content":${JSON.stringify(record.messages[1].content)},"role":"user"}],"options":{"seed":1,"top_k":3},"input":{"a":{"b":3,"y":2},"z":1},"createdAt":1000}`,
    );
  });
});

test('prompts: the same records give the same bytes whatever the order and batching of the puts', async () => {
  const records = [
    ...Array.from({ length: 12 }, (_, i) => promptRecord(hexKey(['ab', 'cd', '0f'][i % 3], i), { createdAt: 100 - i, variant: `v${i % 4}` })),
    promptRecord(hexKey('ab', 500), { format: { required: ['x'], type: 'object' } }),
  ];
  const snapshot = async (order: number[], cuts: number[]): Promise<string[]> => {
    let texts: string[] = [];
    await withStore(async (store, dir) => {
      const batches: PromptRecord[][] = [[]];
      order.forEach((index, position) => {
        if (cuts.includes(position)) batches.push([]);
        // Keys within each record shuffled too.
        const record = records[index];
        batches[batches.length - 1].push((position % 2 === 0 ? Object.fromEntries(Object.entries(record).reverse()) : { ...record }) as PromptRecord);
      });
      for (const batch of batches) await store.putPrompts(batch);
      const names = (await readdir(join(dir, 'prompts'))).sort();
      texts = [names.join(','), ...(await Promise.all(names.map((name) => readFile(join(dir, 'prompts', name), 'utf8'))))];
    });
    return texts;
  };
  const reference = await snapshot(records.map((_, i) => i), []);
  assert.equal(reference[0], '0f.jsonl,ab.jsonl,cd.jsonl');
  await fc.assert(
    fc.asyncProperty(
      fc.shuffledSubarray(records.map((_, i) => i), { minLength: records.length }),
      fc.uniqueArray(fc.integer({ min: 1, max: records.length - 1 }), { maxLength: 4 }),
      async (order, cuts) => assert.deepEqual(await snapshot(order, cuts), reference),
    ),
    { numRuns: 15 },
  );
});

test('a prompts shard with two lines for one hash (a git merge) reads the older one, without a problem', async () => {
  await withStore(async (store, dir, problems) => {
    await mkdir(join(dir, 'prompts'), { recursive: true });
    const older = promptRecord(hexKey('ab', 1), { variant: 'older', createdAt: 1 });
    const newer = promptRecord(hexKey('ab', 1), { variant: 'newer', createdAt: 2 });
    for (const text of [`${JSON.stringify(newer)}\n${JSON.stringify(older)}\n`, `${JSON.stringify(older)}\n${JSON.stringify(newer)}\n`]) {
      await writeFile(join(dir, 'prompts/ab.jsonl'), text);
      assert.equal((await store.getPrompts([older.hash])).get(older.hash)?.variant, 'older');
    }
    assert.deepEqual(problems, []);
  });
});

// ---- damaged prompt shards -------------------------------------------------------------

test('a damaged prompts shard: readable lines kept, original moved aside, problem reported', async () => {
  await withStore(
    async (store, dir, problems) => {
      await mkdir(join(dir, 'prompts'), { recursive: true });
      const file = join(dir, 'prompts/ab.jsonl');
      const good = [promptRecord(hexKey('ab', 1)), promptRecord(hexKey('ab', 2))];
      const text = `${JSON.stringify(good[0])}\n<<<<<<< HEAD\n{"family":"summarize"}\n${JSON.stringify(good[1])}\n${JSON.stringify(promptRecord(hexKey('ab', 3))).slice(0, 50)}`;
      await writeFile(file, text);
      const found = await store.getPrompts([hexKey('ab', 1), hexKey('ab', 2), hexKey('ab', 3)]);
      assert.deepEqual([...found.keys()].sort(), [hexKey('ab', 1), hexKey('ab', 2)]);
      assert.equal(problems.length, 1);
      const [problem] = problems;
      assert.equal(problem.kind, 'corrupt');
      assert.equal(problem.file, file);
      assert.equal(problem.movedTo, `${file}.corrupt-2025-06-01T12-00-00-000Z`);
      assert.equal(await readFile(problem.movedTo, 'utf8'), text);
      assert.match(problem.message, /3 lines of 5 could not be read/);
      assert.deepEqual(await hashesIn(file), [hexKey('ab', 1), hexKey('ab', 2)]);
      await store.putPrompts([promptRecord(hexKey('ab', 3))]);
      assert.deepEqual(await hashesIn(file), [hexKey('ab', 1), hexKey('ab', 2), hexKey('ab', 3)]);
      assert.equal(problems.length, 1);
    },
    { now: () => Date.UTC(2025, 5, 1, 12) },
  );
});

test('a prompt line damaged inside is found when read, and its shard repaired', async () => {
  await withStore(async (store, dir, problems) => {
    await store.putPrompts([promptRecord(hexKey('ab', 1)), promptRecord(hexKey('ab', 2))]);
    const file = join(dir, 'prompts/ab.jsonl');
    const [first, second] = await lines(file);
    const fresh = await PromptStore.open(dir, { onProblem: (problem) => problems.push(problem) });
    // Looks like a line the store wrote, but is not JSON: only parsing it tells.
    await writeFile(file, `${first}\n${second.replace('"messages":', '"messages":}')}\n`);
    assert.equal((await fresh.getPrompts([hexKey('ab', 2)])).size, 0);
    assert.deepEqual(problems.map((problem) => problem.kind), ['corrupt']);
    assert.deepEqual(await lines(file), [first]);
    assert.equal(await readFile(problems[0].movedTo!, 'utf8'), `${first}\n${second.replace('"messages":', '"messages":}')}\n`);
    assert.equal((await fresh.getPrompts([hexKey('ab', 1)])).size, 1);
    await fresh.close();
  });
});

test('loaded prompt shards are bounded by an LRU of their own', async () => {
  await withStore(
    async (store) => {
      const answers = Array.from({ length: 4 }, (_, i) => answerRecord(hexKey(`e${i}`, i)));
      await store.putAnswers(answers);
      await store.getAnswers(answers.map((answer) => answer.key));
      assert.equal(store.stats().loadedAnswerShards, 4);
      const records = Array.from({ length: 40 }, (_, i) => promptRecord(hexKey((i * 6).toString(16).padStart(2, '0'), i)));
      await store.putPrompts(records);
      assert.ok(store.stats().loadedPromptShards <= 3, `${store.stats().loadedPromptShards} prompt shards loaded`);
      assert.equal((await store.getPrompts(records.map((record) => record.hash))).size, 40);
      assert.ok(store.stats().loadedPromptShards <= 3);
      // Reading prompts evicted no answer shard.
      assert.equal(store.stats().loadedAnswerShards, 4);
    },
    { maxLoadedPromptShards: 3, maxLoadedShards: 4 },
  );
});

// ---- two processes -----------------------------------------------------------------------

test('two other processes and this one put overlapping prompts at once: each hash stored once, none lost', async () => {
  const dir = await tempDir();
  const count = 30;
  try {
    const writers = [1, 2].map((index) => startWriter(['prompts', dir, `child${index}`, String(index), String(count)]));
    await Promise.all(writers.map((writer) => writer.waitFor(/ready/)));
    for (const writer of writers) writer.child.stdin.write('go\n');
    const store = await PromptStore.open(dir);
    for (let i = 0; i < count; i++) {
      await store.putPrompts([promptRecord(hexKey(i % 2 === 0 ? 'aa' : 'ab', i), { variant: 'parent', createdAt: i })]);
      await store.putPrompts([promptRecord(hexKey('ac', i), { variant: 'parent', createdAt: i })]);
    }
    for (const writer of writers) assert.deepEqual(await writer.exited, [0, null], writer.stderr());
    for (const writer of writers) assert.equal(writer.stderr(), '');

    const shared = Array.from({ length: count }, (_, i) => hexKey(i % 2 === 0 ? 'aa' : 'ab', i));
    const own = [0, 1, 2].flatMap((index) => Array.from({ length: count }, (_, i) => hexKey('ac', index * 0x100000 + i)));
    const onDisk = [...(await hashesIn(join(dir, 'prompts/aa.jsonl'))), ...(await hashesIn(join(dir, 'prompts/ab.jsonl')))];
    assert.deepEqual(onDisk.sort(), [...shared].sort());
    assert.deepEqual((await hashesIn(join(dir, 'prompts/ac.jsonl'))).sort(), [...own].sort());
    for (const line of await lines(join(dir, 'prompts/aa.jsonl'))) assert.match((JSON.parse(line) as PromptRecord).variant, /^(parent|child1|child2)$/);
    await store.close();
    const fresh = await PromptStore.open(dir);
    assert.equal((await fresh.getPrompts([...shared, ...own])).size, 4 * count);
    await fresh.close();
    assert.equal(existsSync(join(dir, '.lock')), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
