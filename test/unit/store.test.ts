import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { PromptStore, StoreError, familyFileName, familyFromFileName, writeFileAtomic } from '../../src/core/store/promptStore';
import type { StoreProblem } from '../../src/core/store/records';
import { answerRecord, cellRecord, hexKey, ratingRecord, runRecord } from './fixtures/store/records';
import { tempDir, withStore, lines } from './fixtures/store/withStore';




function systemError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

// ---- family file names -------------------------------------------------------------

test('familyFileName: readable for plain ids, escapes the rest, reversible', () => {
  assert.equal(familyFileName('prompts/summarize'), 'prompts~summarize');
  assert.equal(familyFileName('a_b-c.v2'), 'a_b-c.v2');
  // Capitals, spaces and non-ASCII letters are escaped: case-folding and NFD file systems stay safe.
  assert.equal(familyFileName('Prompts/My Sum'), '%50rompts~%4Dy%20%53um');
  assert.equal(familyFileName('résumé'), 'r%C3%A9sum%C3%A9');
  assert.notEqual(familyFileName('A'), familyFileName('a'));
  assert.equal(familyFileName('con'), '%63on'); // a Windows device name
  assert.equal(familyFileName('.hidden'), '%2Ehidden');
  assert.equal(familyFileName('trailing.'), 'trailing%2E');
  assert.equal(familyFileName('a~b'), 'a%7Eb');
  for (const id of ['prompts/summarize', 'Prompts/My Sum', '日本語/要約', 'emoji 🚀/✨', 'con', '..', 'a/../b', '%41', 'a~b']) {
    assert.equal(familyFromFileName(familyFileName(id)), id);
  }
  assert.equal(familyFromFileName('Foreign'), undefined);
  assert.equal(familyFromFileName('a%zz'), undefined);
  assert.throws(() => familyFileName(''), TypeError);
});

test('familyFileName: any id gives a safe, short name; distinct ids never share one', () => {
  const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 });
  fc.assert(
    fc.property(id, id, (a, b) => {
      const name = familyFileName(a);
      assert.match(name, /^(?:[a-z0-9_.~-]|%[0-9A-F]{2})+(?:#[0-9a-f]{16})?$/);
      assert.ok(name.length <= 200, name);
      assert.ok(!name.startsWith('.'));
      if (!name.includes('#')) assert.equal(familyFromFileName(name), a);
      if (a !== b) assert.notEqual(name, familyFileName(b));
    }),
    { numRuns: 500 },
  );
  const long = '日本語'.repeat(40);
  assert.match(familyFileName(long), /#[0-9a-f]{16}$/);
  assert.notEqual(familyFileName(long), familyFileName(`${long}x`));
});

// ---- format --------------------------------------------------------------------------

test('files are JSONL in a stable order, whatever order records were put in', async () => {
  const put = async (store: PromptStore, order: number[]): Promise<void> => {
    const ratings = [ratingRecord('b', { createdAt: 2 }), ratingRecord('a', { createdAt: 2 }), ratingRecord('z', { createdAt: 1 })];
    const answers = [answerRecord(hexKey('ab', 3)), answerRecord(hexKey('ab', 1)), answerRecord(hexKey('ab', 2))];
    for (const i of order) {
      await store.putRating(ratings[i]);
      await store.putAnswer(answers[i]);
    }
    await store.putLineage({ family: 'summarize', variant: 'b', parent: '', createdAt: 5 });
    await store.putLineage({ family: 'summarize', variant: 'a', parent: '', createdAt: 5 });
    await store.putLineage({ family: 'summarize', variant: 'c', parent: 'a', createdAt: 1 });
    await store.saveRun(runRecord('run1'), [cellRecord('c10'), cellRecord('c2'), cellRecord('c1')]);
  };
  const files = ['ratings/summarize.jsonl', 'answers/ab.jsonl', 'lineage/summarize.jsonl', 'runs/summarize/run1.jsonl'];
  const texts: string[][] = [];
  for (const order of [[0, 1, 2], [2, 0, 1]]) {
    await withStore(async (store, dir) => {
      await put(store, order);
      texts.push(await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8'))));
      assert.deepEqual((await lines(join(dir, 'ratings/summarize.jsonl'))).map((line) => (JSON.parse(line) as { id: string }).id), ['z', 'a', 'b']);
      assert.deepEqual((await lines(join(dir, 'answers/ab.jsonl'))).map((line) => (JSON.parse(line) as { key: string }).key), [1, 2, 3].map((n) => hexKey('ab', n)));
      assert.deepEqual((await lines(join(dir, 'lineage/summarize.jsonl'))).map((line) => (JSON.parse(line) as { variant: string }).variant), ['c', 'a', 'b']);
      const run = await lines(join(dir, 'runs/summarize/run1.jsonl'));
      assert.equal((JSON.parse(run[0]) as { runId: string }).runId, 'run1');
      assert.deepEqual(run.slice(1).map((line) => (JSON.parse(line) as { cellId: string }).cellId), ['c1', 'c10', 'c2']);
    });
  }
  assert.deepEqual(texts[0], texts[1]);
});

test('keys within a record are in a stable order (nested objects sorted, undefined left out)', async () => {
  await withStore(async (store, dir) => {
    const rating = ratingRecord('r1', { params: { temperature: 0.2, seed: 7 }, comment: undefined });
    const shuffled = Object.fromEntries(Object.entries(rating).reverse()) as typeof rating;
    await store.putRating(shuffled);
    const [line] = await lines(join(dir, 'ratings/summarize.jsonl'));
    assert.equal(line, '{"id":"r1","answerKey":"ab00","family":"summarize","variant":"","model":"llama3.2","caseKey":"c1","params":{"seed":7,"temperature":0.2},"score":5,"createdAt":1000,"updatedAt":1000}');
    await store.putRating({ ...rating, extra: { b: 1, a: 2 } } as typeof rating);
    const [withExtra] = await lines(join(dir, 'ratings/summarize.jsonl'));
    assert.ok(withExtra.endsWith(',"updatedAt":1000,"extra":{"a":2,"b":1}}'), withExtra);
  });
});

// ---- answers ---------------------------------------------------------------------------

test('answers: sharded by the first two hex digits of the key; insert or replace by key', async () => {
  await withStore(async (store, dir) => {
    await store.putAnswers([answerRecord(hexKey('ab', 1)), answerRecord(hexKey('AB', 2)), answerRecord(hexKey('cd', 1))]);
    assert.deepEqual((await readdir(join(dir, 'answers'))).sort(), ['ab.jsonl', 'cd.jsonl', 'families.jsonl']);
    assert.equal((await lines(join(dir, 'answers/ab.jsonl'))).length, 2);
    await store.putAnswer(answerRecord(hexKey('ab', 1), { text: 'replaced' }));
    assert.equal((await store.getAnswer(hexKey('ab', 1)))?.text, 'replaced');
    const found = await store.getAnswers([hexKey('ab', 1), hexKey('cd', 1), hexKey('cd', 9), 'not hex']);
    assert.deepEqual([...found.keys()].sort(), [hexKey('ab', 1), hexKey('cd', 1)]);
    await assert.rejects(store.putAnswer(answerRecord('zz-not-hex')), TypeError);
  });
});

test('putAnswers writes each touched shard once', async () => {
  const writes: string[] = [];
  await withStore(
    async (store) => {
      const records = Array.from({ length: 60 }, (_, i) => answerRecord(hexKey(['aa', 'bb', 'cc'][i % 3], i)));
      await store.putAnswers(records);
      assert.deepEqual(writes.filter((file) => !file.endsWith('families.jsonl')).sort(), ['aa.jsonl', 'bb.jsonl', 'cc.jsonl']);
      assert.equal((await store.getAnswers(records.map((record) => record.key))).size, 60);
      writes.length = 0;
      await store.putAnswers(records); // nothing changed: nothing written
      assert.deepEqual(writes, []);
    },
    { writeFile: (file, text) => (writes.push(file.split(/[\\/]/).pop()!), writeFileAtomic(file, text)) },
  );
});

test('opening the store reads no answer shard; a shard is read on first access', async () => {
  const dir = await tempDir();
  try {
    const seed = await PromptStore.open(dir);
    await seed.putAnswer(answerRecord(hexKey('ab', 1)));
    await seed.putRating(ratingRecord('r1'));
    await seed.saveRun(runRecord('run1'), [cellRecord('c1')]);
    await seed.close();
    // A damaged shard would be reported (and repaired) by any read of it.
    await writeFile(join(dir, 'answers/ab.jsonl'), `${await readFile(join(dir, 'answers/ab.jsonl'), 'utf8')}garbage\n`);
    const problems: StoreProblem[] = [];
    const store = await PromptStore.open(dir, { onProblem: (problem) => problems.push(problem) });
    assert.equal((await store.listRuns()).length, 1);
    assert.equal((await store.ratings('summarize')).length, 1);
    assert.deepEqual(await store.families(), ['summarize']);
    assert.equal(problems.length, 0);
    assert.equal(store.stats().loadedAnswerShards, 0);
    assert.equal((await store.getAnswer(hexKey('ab', 1)))?.key, hexKey('ab', 1));
    assert.equal(store.stats().loadedAnswerShards, 1);
    assert.deepEqual(problems.map((problem) => problem.kind), ['corrupt']);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loaded answer shards are bounded by an LRU', async () => {
  await withStore(
    async (store) => {
      const records = Array.from({ length: 40 }, (_, i) => answerRecord(hexKey((i * 6).toString(16).padStart(2, '0'), i)));
      await store.putAnswers(records);
      assert.ok(store.stats().loadedAnswerShards <= 4, `${store.stats().loadedAnswerShards} shards loaded`);
      const found = await store.getAnswers(records.map((record) => record.key));
      assert.equal(found.size, 40);
      assert.ok(store.stats().loadedAnswerShards <= 4);
      for (const record of records.slice(0, 10)) assert.equal((await store.getAnswer(record.key))?.text, record.text);
    },
    { maxLoadedShards: 4 },
  );
});

// ---- small records -----------------------------------------------------------------------

test('200 concurrent putRating calls: 200 ratings on disk', async () => {
  await withStore(async (store, dir) => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.putRating(ratingRecord(`r${i}`, { createdAt: i }))));
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.putRating(ratingRecord(`r${i}`, { createdAt: i, score: 1 }))));
    assert.equal((await lines(join(dir, 'ratings/summarize.jsonl'))).length, 200);
    const fresh = await PromptStore.open(dir);
    const ratings = await fresh.ratings('summarize');
    assert.equal(ratings.length, 200);
    assert.equal(ratings.filter((rating) => rating.score === 1).length, 50);
  });
});

test('ratings: upsert by id, delete, one file per family', async () => {
  await withStore(async (store, dir) => {
    await store.putRating(ratingRecord('r1'));
    await store.putRating(ratingRecord('r2', { family: 'prompts/other' }));
    await store.putRating(ratingRecord('r1', { score: 2, updatedAt: 2_000 }));
    assert.deepEqual((await store.ratings('summarize')).map((rating) => [rating.id, rating.score]), [['r1', 2]]);
    assert.equal((await store.ratings('prompts/other')).length, 1);
    assert.ok(existsSync(join(dir, 'ratings', 'prompts~other.jsonl')));
    assert.equal(await store.deleteRating('summarize', 'r1'), true);
    assert.equal(await store.deleteRating('summarize', 'r1'), false);
    assert.deepEqual(await store.ratings('summarize'), []);
    assert.deepEqual(await store.ratings('never-rated'), []);
    await assert.rejects(store.putRating(ratingRecord('')), TypeError);
    await assert.rejects(store.putRating(ratingRecord('x', { family: '' })), TypeError);
  });
});

test('pairs, suggestions and lineage: upsert and list in order', async () => {
  await withStore(async (store) => {
    const side = { answerKey: 'ab01', variant: '', model: 'm' };
    await store.putPair({ id: 'p2', family: 'summarize', caseKey: 'c', left: side, right: side, winner: 'left', createdAt: 2 });
    await store.putPair({ id: 'p1', family: 'summarize', caseKey: 'c', left: side, right: side, winner: 'tie', createdAt: 3 });
    await store.putPair({ id: 'p2', family: 'summarize', caseKey: 'c', left: side, right: side, winner: 'right', createdAt: 2 });
    assert.deepEqual((await store.pairs('summarize')).map((pair) => [pair.id, pair.winner]), [['p2', 'right'], ['p1', 'tie']]);
    const suggestion = { id: 's1', family: 'summarize', parentVariant: '', technique: 'examples', critique: 'vague', text: '---\n---\nx', optimizerModel: 'm', createdAt: 1, status: 'offered' as const };
    await store.putSuggestion(suggestion);
    await store.putSuggestion({ ...suggestion, status: 'accepted', acceptedAs: 'examples' });
    assert.deepEqual((await store.suggestions('summarize')).map((s) => [s.status, s.acceptedAs]), [['accepted', 'examples']]);
    await store.putLineage({ family: 'summarize', variant: 'examples', parent: '', suggestionId: 's1', createdAt: 4 });
    await store.putLineage({ family: 'summarize', variant: 'examples', parent: 'concise', createdAt: 4 });
    assert.deepEqual((await store.lineage('summarize')).map((l) => [l.variant, l.parent]), [['examples', 'concise']]);
  });
});

test('families(): every family with a record, answers included; empty files do not count', async () => {
  await withStore(async (store) => {
    assert.deepEqual(await store.families(), []);
    await store.putAnswer(answerRecord(hexKey('ab', 1), { family: 'only/answers' }));
    await store.putRating(ratingRecord('r1', { family: 'Rated 🚀' }));
    await store.putRating(ratingRecord('r2', { family: 'deleted' }));
    await store.deleteRating('deleted', 'r2');
    await store.saveRun(runRecord('run1', { family: 'ran' }), []);
    await store.putLineage({ family: '日本語'.repeat(40), variant: 'v', parent: '', createdAt: 1 });
    assert.deepEqual(await store.families(), ['Rated 🚀', 'only/answers', 'ran', '日本語'.repeat(40)].sort());
  });
});

// ---- runs ---------------------------------------------------------------------------------

test('runs: saveRun replaces a run; getRun gives header and cells; listRuns newest first', async () => {
  await withStore(async (store) => {
    await store.saveRun(runRecord('old', { createdAt: 1 }), [cellRecord('c1', { status: 'running' })]);
    await store.saveRun(runRecord('old', { createdAt: 1, state: 'finished' }), [cellRecord('c2'), cellRecord('c1')]);
    await store.saveRun(runRecord('new', { createdAt: 5, kind: 'single' }), []);
    await store.saveRun(runRecord('other', { createdAt: 3, family: 'prompts/b' }), []);
    const old = await store.getRun('summarize', 'old');
    assert.equal(old?.run.state, 'finished');
    assert.deepEqual(old?.cells.map((cell) => [cell.cellId, cell.status]), [['c1', 'done'], ['c2', 'done']]);
    assert.equal(await store.getRun('summarize', 'missing'), undefined);
    assert.deepEqual((await store.listRuns()).map((run) => run.runId), ['new', 'other', 'old']);
    assert.deepEqual((await store.listRuns('summarize')).map((run) => run.runId), ['new', 'old']);
    assert.deepEqual(await store.listRuns('nothing'), []);
  });
});

test('listRuns reads only the header line of each run file', async () => {
  await withStore(async (store, dir, problems) => {
    await store.saveRun(runRecord('run1'), [cellRecord('c1')]);
    const file = join(dir, 'runs/summarize/run1.jsonl');
    // Damaged cells are not seen by listing: only by reading the run.
    await writeFile(file, `${(await lines(file))[0]}\n{"cellId":"c1", broken\n`);
    assert.deepEqual((await store.listRuns('summarize')).map((run) => run.runId), ['run1']);
    assert.equal(problems.length, 0);
    assert.deepEqual((await store.getRun('summarize', 'run1'))?.cells, []);
    assert.deepEqual(problems.map((problem) => problem.kind), ['corrupt']);
  });
});

// ---- two stores on one folder -----------------------------------------------------------

test('a change made by another store on the folder is read again before writing', async () => {
  await withStore(async (a, dir) => {
    const b = await PromptStore.open(dir);
    for (let i = 0; i < 20; i++) {
      await a.putRating(ratingRecord(`a${i}`));
      await b.putRating(ratingRecord(`b${i}`));
      await a.putAnswer(answerRecord(hexKey('ab', i)));
      await b.putAnswer(answerRecord(hexKey('ab', 100 + i)));
    }
    await Promise.all([a.putRating(ratingRecord('a-last')), b.putRating(ratingRecord('b-last'))]);
    await b.close();
    assert.equal((await a.ratings('summarize')).length, 42);
    assert.equal((await lines(join(dir, 'answers/ab.jsonl'))).length, 40);
    assert.equal((await a.getAnswers([hexKey('ab', 0), hexKey('ab', 119)])).size, 2);
  });
});

test('a file from git on Windows (BOM, CRLF) with both sides of a merged edit reads cleanly', async () => {
  await withStore(async (store, dir, problems) => {
    await mkdir(join(dir, 'ratings'), { recursive: true });
    const older = JSON.stringify(ratingRecord('r1', { score: 2, updatedAt: 1_000 }));
    const newer = JSON.stringify(ratingRecord('r1', { score: 4, updatedAt: 2_000 }));
    await writeFile(join(dir, 'ratings/summarize.jsonl'), `\uFEFF${newer}\r\n${older}\r\n${JSON.stringify(ratingRecord('r2'))}\r\n`);
    assert.deepEqual((await store.ratings('summarize')).map((rating) => [rating.id, rating.score]), [['r1', 4], ['r2', 5]]);
    assert.equal(problems.length, 0);
    await store.putAnswers([answerRecord(hexKey('ab', 1), { createdAt: 1 })]);
    const shard = join(dir, 'answers/ab.jsonl');
    const [line] = await lines(shard);
    await writeFile(shard, `${line.replace('"createdAt":1', '"createdAt":5').replace('answer', 'newer')}\n${line}\n`);
    assert.equal((await store.getAnswer(hexKey('ab', 1)))?.text.startsWith('newer'), true);
    assert.equal(problems.length, 0);
  });
});

// ---- damaged files ----------------------------------------------------------------------

const good = (id: string): string => JSON.stringify(ratingRecord(id));
/** What, the file's text, lines lost, records kept. */
const damages: [string, string, number, number][] = [
  ['a truncated last line', `${good('r1')}\n${good('r2')}\n${good('r3').slice(0, 40)}`, 1, 2],
  ['garbage in the middle', `${good('r1')}\n<<<<<<< HEAD\n${good('r2')}\n\u0000\u0000\n`, 2, 2],
  ['lines that are not objects', `[1,2]\n"text"\n${good('r1')}\n42\nnull\n${good('r2')}\n`, 4, 2],
  ['a valid line without its id', `${good('r1')}\n{"family":"summarize","score":3}\n{"id":"","score":3}\n`, 2, 1],
];
for (const [what, text, lost, kept] of damages) {
  test(`a damaged file (${what}): readable lines kept, original moved aside, problem reported`, async () => {
    await withStore(
      async (store, dir, problems) => {
        await mkdir(join(dir, 'ratings'), { recursive: true });
        const file = join(dir, 'ratings/summarize.jsonl');
        await writeFile(file, text);
        assert.equal((await store.ratings('summarize')).length, kept);
        assert.equal(problems.length, 1);
        const [problem] = problems;
        assert.equal(problem.kind, 'corrupt');
        assert.equal(problem.file, file);
        assert.equal(problem.movedTo, `${file}.corrupt-2025-06-01T12-00-00-000Z`);
        assert.equal(await readFile(problem.movedTo, 'utf8'), text);
        assert.ok(problem.message.includes(file) && problem.message.includes(problem.movedTo));
        assert.match(problem.message, new RegExp(`${lost} lines? of`));
        assert.equal((await lines(file)).length, kept);
        await store.putRating(ratingRecord('r9'));
        assert.equal((await lines(file)).length, kept + 1);
        assert.equal(problems.length, 1);
        assert.deepEqual(await store.families(), ['summarize']);
      },
      { now: () => Date.UTC(2025, 5, 1, 12) },
    );
  });
}

test('a write to a damaged file first moves the original aside', async () => {
  await withStore(async (store, dir, problems) => {
    await mkdir(join(dir, 'ratings'), { recursive: true });
    const file = join(dir, 'ratings/summarize.jsonl');
    await writeFile(file, `${good('r1')}\nnot json\n`);
    await store.putRating(ratingRecord('r2'));
    assert.deepEqual((await lines(file)).map((line) => (JSON.parse(line) as { id: string }).id), ['r1', 'r2']);
    assert.equal(problems.length, 1);
    assert.equal(await readFile(problems[0].movedTo!, 'utf8'), `${good('r1')}\nnot json\n`);
  });
});

test('an answer line damaged inside is found when read, and its shard repaired', async () => {
  await withStore(async (store, dir, problems) => {
    await store.putAnswers([answerRecord(hexKey('ab', 1)), answerRecord(hexKey('ab', 2))]);
    const file = join(dir, 'answers/ab.jsonl');
    const [first, second] = await lines(file);
    const fresh = await PromptStore.open(dir, { onProblem: (problem) => problems.push(problem) });
    // Looks like a line the store wrote, but is not JSON: only parsing it tells.
    await writeFile(file, `${first}\n${second.replace('"text":', '"text":}')}\n`);
    assert.equal(await fresh.getAnswer(hexKey('ab', 2)), undefined);
    assert.deepEqual(problems.map((problem) => problem.kind), ['corrupt']);
    assert.deepEqual(await lines(file), [first]);
    assert.equal((await fresh.getAnswer(hexKey('ab', 1)))?.key, hexKey('ab', 1));
    await fresh.close();
  });
});

test('a run file without its header is moved aside whole', async () => {
  await withStore(async (store, dir, problems) => {
    await mkdir(join(dir, 'runs/summarize'), { recursive: true });
    const file = join(dir, 'runs/summarize/run1.jsonl');
    await writeFile(file, `${JSON.stringify(cellRecord('c1'))}\n`);
    assert.equal(await store.getRun('summarize', 'run1'), undefined);
    assert.equal(problems[0]?.kind, 'corrupt');
    assert.match(problems[0].message, /run header/);
    assert.equal(existsSync(file), false);
    assert.ok(existsSync(problems[0].movedTo!));
    assert.deepEqual(await store.listRuns(), []);
  });
});

// ---- failed writes -------------------------------------------------------------------------

const failures: [string, 'unwritable' | 'io', RegExp][] = [
  ['EACCES', 'unwritable', /is not writable \(EACCES\)/],
  ['EPERM', 'unwritable', /is not writable \(EPERM\)/],
  ['EROFS', 'unwritable', /read-only file system/],
  ['ENOSPC', 'io', /disk is full/],
  ['EIO', 'io', /EIO/],
];
for (const [code, kind, message] of failures) {
  test(`a write that fails with ${code}: StoreError '${kind}', file and view as before`, async () => {
    let failing = false;
    await withStore(
      async (store, dir, problems) => {
        const file = join(dir, 'ratings/summarize.jsonl');
        await store.putRating(ratingRecord('r1'));
        const before = await readFile(file, 'utf8');
        failing = true;
        const error = await store.putRating(ratingRecord('r2')).then(
          () => assert.fail('the write should fail'),
          (reason: unknown) => reason,
        );
        assert.ok(error instanceof StoreError);
        assert.equal(error.problem.kind, kind);
        assert.equal(error.problem.file, file);
        assert.match(error.problem.message, message);
        assert.ok(error.problem.message.includes(join(dir, 'ratings')), 'names the folder');
        assert.deepEqual(problems, [error.problem]);
        assert.equal(await readFile(file, 'utf8'), before);
        assert.deepEqual((await store.ratings('summarize')).map((rating) => rating.id), ['r1']);
        failing = false;
        await store.putRating(ratingRecord('r3'));
        assert.deepEqual((await lines(file)).map((line) => (JSON.parse(line) as { id: string }).id), ['r1', 'r3']);
      },
      { writeFile: (file, text) => (failing ? Promise.reject(systemError(code)) : writeFileAtomic(file, text)) },
    );
  });
}

test('putAnswers with one unwritable shard: the others are written, the call rejects', async () => {
  await withStore(
    async (store, _dir, problems) => {
      const error = await store.putAnswers([answerRecord(hexKey('ab', 1)), answerRecord(hexKey('cd', 1))]).catch((reason: unknown) => reason);
      assert.ok(error instanceof StoreError && error.problem.kind === 'io');
      assert.equal(problems.length, 1);
      assert.equal(await store.getAnswer(hexKey('cd', 1)), undefined);
      assert.equal((await store.getAnswer(hexKey('ab', 1)))?.key, hexKey('ab', 1));
    },
    { writeFile: (file, text) => (file.endsWith('cd.jsonl') ? Promise.reject(systemError('ENOSPC')) : writeFileAtomic(file, text)) },
  );
});

test('a store folder that cannot be made fails writes with a StoreError and a problem', async () => {
  const parent = await tempDir();
  try {
    await writeFile(join(parent, 'file'), 'not a folder');
    const problems: StoreProblem[] = [];
    const store = await PromptStore.open(join(parent, 'file', '.promptloop'), { onProblem: (problem) => problems.push(problem) });
    const error = await store.putRating(ratingRecord('r1')).catch((reason: unknown) => reason);
    assert.ok(error instanceof StoreError);
    assert.equal(error.problem.kind, 'io');
    assert.match(error.problem.message, /ENOTDIR/);
    assert.deepEqual(problems, [error.problem]);
    assert.deepEqual(await store.ratings('summarize'), []);
    await store.close();
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});

test('the folder is made on the first write, not on open; close refuses later writes', async () => {
  const dir = join(await tempDir(), 'nested', '.promptloop');
  try {
    const store = await PromptStore.open(dir);
    assert.deepEqual(await store.ratings('summarize'), []);
    assert.equal(existsSync(dir), false);
    const pending = store.putRating(ratingRecord('r1'));
    await store.close();
    await pending;
    assert.equal((await lines(join(dir, 'ratings/summarize.jsonl'))).length, 1);
    assert.equal(existsSync(join(dir, '.lock')), false);
    await assert.rejects(store.putRating(ratingRecord('r2')), /closed/);
  } finally {
    await rm(join(dir, '..', '..'), { recursive: true, force: true });
  }
});
