/**
 * The feedback loop part of the preview: rated answers in the run view and the
 * grid, the scores view, a blind pair and an optimizer session in three stages,
 * shot in every theme (`feedbackTour`); then driven with the keyboard and the
 * mouse in the dark theme, asserting the messages posted and what the panel
 * shows after the host answers (`feedbackBehaviour`).
 */
import type { Page } from 'playwright-core';
import type { HostToWebview, PanelState, ScoresView } from '../../src/core/protocol';
import {
  applyTraffic, blindPair, hostileText, ratedRun, ratedSummaries, runRatings, scoresView, smallSweep, smallSweepPlans, suggestionStages, sweepRatings, sweepTraffic,
} from './scenario';
import type { PreviewTools } from './sweepTour';
import type { ThemeName } from './themes';

const cellSel = (k: string): string => `[data-view="sweep"] [data-cell-key="${k}"]`;
const column = (model: string): string => `[data-view="run"] article.answer[data-model="${model}"]`;

function ratedSweepState(): PanelState {
  const sweep = smallSweep();
  const finished = applyTraffic(sweep, sweepTraffic(sweep, smallSweepPlans()));
  // applyTraffic keeps no answer keys: the host's cells have them once stored.
  for (const cell of finished.cells) if (cell.status === 'done' || cell.status === 'cached') cell.answerKey = `key-${cell.cellId}`;
  finished.summaries = [...finished.summaries.filter((s) => !ratedSummaries().some((r) => r.variant === s.variant && r.model === s.model)), ...ratedSummaries()];
  return { running: false, run: ratedRun(), sweep: finished, ratings: [...runRatings(), ...sweepRatings()], view: 'sweep' };
}

// ---------- screenshots (every theme) ----------

export async function feedbackTour(page: Page, theme: ThemeName, tools: PreviewTools): Promise<void> {
  console.log(`\n[${theme}: feedback]`);
  const { send, shot } = tools;
  await tools.open(page, theme);

  // The run: llama3.2 rated 4 with a comment and tags (open), qwen3:8b unrated, gemma3:4b failed (cannot be rated).
  await send(page, { type: 'state', state: { running: false, run: ratedRun(), ratings: runRatings() } });
  await page.click(`${column('llama3.2')} [data-action="toggleComment"]`);
  await page.locator(`${column('qwen3:8b')}`).focus();
  await shot(page, theme, '21-run-rated');

  // The grid with ratings, and the detail of a rated cell with its comment.
  await send(page, { type: 'state', state: ratedSweepState() });
  await page.locator(cellSel('/llama3.2/1/0')).click();
  await page.click('[data-cell-detail] [data-action="toggleComment"]');
  await shot(page, theme, '22-sweep-rated-detail');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');

  await send(page, { type: 'scores', scores: scoresView() });
  await send(page, { type: 'showView', view: 'scores' });
  await shot(page, theme, '23-scores');

  await send(page, { type: 'blindPair', pair: blindPair() });
  await page.locator('[data-view="blind"]').focus();
  await shot(page, theme, '24-blind');
  await send(page, { type: 'blindPair', message: 'No more pairs to compare: every answer of summarize has been judged against the others.' });
  await shot(page, theme, '24b-blind-done');

  const [streaming, checked, accepted] = suggestionStages();
  await send(page, { type: 'suggestions', suggestions: streaming });
  await shot(page, theme, '25-suggestions-streaming');
  await send(page, { type: 'suggestions', suggestions: checked });
  await shot(page, theme, '26-suggestions-checked');
  await page.locator('[data-suggestion-id="s4"]').scrollIntoViewIfNeeded();
  await shot(page, theme, '26b-suggestions-repaired-rejected');
  await send(page, { type: 'suggestions', suggestions: accepted });
  await page.locator('[data-suggestion-id="s1"] [data-action="runProof"]').focus();
  await shot(page, theme, '27-suggestions-accepted');
}

// ---------- behaviour (dark) ----------

export async function feedbackBehaviour(page: Page, tools: PreviewTools): Promise<void> {
  console.log('\n[feedback behaviour]');
  const { check, posted, frames } = tools;
  const send = async (m: HostToWebview): Promise<void> => {
    await tools.send(page, m);
    await frames(page, 1);
  };
  const last = async (): Promise<{ type: string; requestId: number; [key: string]: unknown }> => {
    const messages = await posted(page);
    return messages[messages.length - 1];
  };
  const count = async (): Promise<number> => (await posted(page)).length;
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await tools.open(page, 'dark');
  await send({ type: 'state', state: { running: false, run: ratedRun(), ratings: runRatings() } });

  // ---- the run view: keys 1–5 on a focused column.
  const llamaBar = page.locator(`${column('llama3.2')} [data-rating-for="ak-llama"]`);
  check((await llamaBar.getAttribute('data-rated')) === '4' && (await llamaBar.locator('[data-score="4"]').getAttribute('aria-pressed')) === 'true', 'a rated answer shows its score (data-rated, aria-pressed on the chosen star)');
  check((await llamaBar.locator('[aria-pressed="true"]').count()) === 1, 'only the chosen score is pressed');
  await page.locator(column('llama3.2')).focus();
  await page.keyboard.press('2');
  let rate = await last();
  check(rate.type === 'rate' && rate.answerKey === 'ak-llama' && rate.score === 2 && rate.comment === runRatings()[0].comment && JSON.stringify(rate.tags) === JSON.stringify(runRatings()[0].tags), `2 on the focused column posts rate score 2, keeping the comment and tags (${JSON.stringify(rate)})`);
  check((await llamaBar.getAttribute('data-rated')) === '2' && (await llamaBar.getAttribute('data-saving')) !== null, 'the new score shows at once, marked as saving');
  const first = rate.requestId;
  await page.keyboard.press('5');
  rate = await last();
  check(rate.type === 'rate' && rate.score === 5 && rate.answerKey === 'ak-llama', '5 then posts rate score 5');
  const second = rate.requestId;
  // The host saves both, in order: its ratings messages and replies settle the bar on 5.
  await send({ type: 'ratings', ratings: [{ ...runRatings()[0], score: 2 }] });
  await send({ type: 'reply', requestId: first, ok: true });
  check((await llamaBar.getAttribute('data-rated')) === '5', 'a confirmation of the older score does not undo the newer one');
  await send({ type: 'ratings', ratings: [{ ...runRatings()[0], score: 5 }] });
  await send({ type: 'reply', requestId: second, ok: true });
  check((await llamaBar.getAttribute('data-rated')) === '5' && (await llamaBar.getAttribute('data-saving')) === null && ((await llamaBar.locator('.rating-status').textContent()) ?? '').startsWith('Saved'), `after the host's ratings message the bar says saved (${await llamaBar.locator('.rating-status').textContent()})`);
  await page.keyboard.press('3');
  rate = await last();
  await send({ type: 'reply', requestId: rate.requestId, ok: false, error: 'the store is read-only' });
  check((await llamaBar.getAttribute('data-rated')) === '5' && ((await page.locator('.status-line').textContent()) ?? '').includes('Could not save the rating: the store is read-only'), 'an error reply rolls the score back and shows the status line');
  await page.click(`${column('llama3.2')} [data-action="thumbsDown"]`);
  rate = await last();
  check(rate.type === 'rate' && rate.score === 1, 'thumbs down posts score 1');
  await send({ type: 'ratings', ratings: [{ ...runRatings()[0], score: 1 }] });
  await send({ type: 'reply', requestId: rate.requestId, ok: true });

  // An answer that failed before anything was stored cannot be rated.
  const gemmaBar = page.locator(`${column('gemma3:4b')} [data-rating-bar]`);
  check((await gemmaBar.getAttribute('data-rating-for')) === null && (await gemmaBar.locator('[data-score="3"]').isDisabled()) && ((await gemmaBar.getAttribute('title')) ?? '').length > 0, `a failed answer without a key: the bar is disabled with the reason (${await gemmaBar.getAttribute('title')})`);
  const before = await count();
  await page.locator(column('gemma3:4b')).focus();
  await page.keyboard.press('4');
  check((await count()) === before, 'a score key on an answer that cannot be rated posts nothing');

  // A comment without a score: asked for a score first; then saved with it.
  const qwen = page.locator(column('qwen3:8b'));
  await qwen.locator('[data-action="toggleComment"]').click();
  check((await qwen.locator('[data-action="toggleComment"]').getAttribute('aria-expanded')) === 'true' && (await page.evaluate('document.activeElement.hasAttribute("data-rating-comment")')), 'Comment opens the comment field and focuses it');
  await page.keyboard.type('Numbers 1 and 5 are right; r and c are text here.');
  await qwen.locator('[data-rating-tags]').fill('json, too short');
  await page.keyboard.press('Tab');
  check((await count()) === before, 'typing digits, r and c in the comment posts nothing (keys are text there)');
  check(((await qwen.locator('.rating-note').textContent()) ?? '').includes('Choose a score'), 'a comment without a score asks for a score first, inline');
  await qwen.locator('[data-score="3"]').click();
  rate = await last();
  check(rate.type === 'rate' && rate.answerKey === 'ak-qwen' && rate.score === 3 && rate.comment === 'Numbers 1 and 5 are right; r and c are text here.' && JSON.stringify(rate.tags) === '["json","too short"]', `the score then goes with the comment and tags (${JSON.stringify(rate)})`);
  await send({ type: 'ratings', ratings: [{ answerKey: 'ak-qwen', score: 3, comment: 'Numbers 1 and 5 are right; r and c are text here.', tags: ['json', 'too short'], updatedAt: 1 }] });
  await send({ type: 'reply', requestId: rate.requestId, ok: true });
  check(((await qwen.locator('.rating-note').textContent()) ?? '') === 'Comment saved.', 'the saved comment says so');
  // Ctrl+Enter saves a changed comment with the current score.
  await qwen.locator('[data-rating-comment]').fill('Too short for a summary.');
  await qwen.locator('[data-rating-comment]').press('Control+Enter');
  rate = await last();
  check(rate.type === 'rate' && rate.score === 3 && rate.comment === 'Too short for a summary.', 'Ctrl+Enter posts the comment with the current score');
  await send({ type: 'reply', requestId: rate.requestId, ok: true });
  await send({ type: 'ratings', ratings: [{ answerKey: 'ak-qwen', score: 3, comment: 'Too short for a summary.', tags: ['json', 'too short'], updatedAt: 2 }] });
  await qwen.locator('[data-rating-tags]').fill('x'.repeat(70));
  await qwen.locator('[data-rating-tags]').press('Control+Enter');
  check(((await qwen.locator('.rating-note').textContent()) ?? '').includes('at most 64 characters') && (await last()).requestId === rate.requestId, 'a tag the host would refuse is caught inline, nothing posted');
  await qwen.locator('[data-rating-tags]').fill('json, too short');
  await qwen.locator('[data-rating-tags]').press('Escape');
  check((await page.evaluate('document.activeElement.dataset.model')) === 'qwen3:8b', 'Escape in the fields hands the focus back to the column');
  await page.keyboard.press('0');
  rate = await last();
  check(rate.type === 'clearRating' && rate.answerKey === 'ak-qwen', '0 posts clearRating');
  await send({ type: 'ratings', ratings: [], removed: ['ak-qwen'] });
  await send({ type: 'reply', requestId: rate.requestId, ok: true });
  check((await qwen.locator('[data-rating-for="ak-qwen"]').getAttribute('data-rated')) === null, 'a removed rating leaves the bar unrated');
  await page.keyboard.press('ArrowLeft');
  check((await page.evaluate('document.activeElement.dataset.model')) === 'llama3.2', 'arrows still move between columns');

  // ---- the grid: keys on a focused cell rate the repeat it shows; the cell shows the rating.
  await send({ type: 'state', state: ratedSweepState() });
  await frames(page, 2);
  const rated = page.locator(cellSel('/llama3.2/1/0'));
  check((await rated.getAttribute('data-rating')) === '5' && ((await rated.locator('.cell-rating').textContent()) ?? '').includes('5') && (await rated.locator('.cell-rating .codicon-comment').count()) === 1, 'a rated grid cell shows ★5 and a comment icon (data-rating="5")');
  const unrated = cellSel('concise/llama3.2/2/0');
  check((await page.locator(unrated).getAttribute('data-rating')) === null, 'an unrated cell has no data-rating');
  await page.locator(unrated).click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('4');
  rate = await last();
  check(rate.type === 'rate' && rate.answerKey === 'key-concise|llama3.2|2|0|0' && rate.score === 4, `4 on a focused grid cell posts rate for its answer (${String(rate.answerKey)})`);
  check((await page.locator(unrated).getAttribute('data-rating')) === '4', 'the cell shows the new rating at once');
  await send({ type: 'ratings', ratings: [{ answerKey: 'key-concise|llama3.2|2|0|0', score: 4, updatedAt: 3 }] });
  await send({ type: 'reply', requestId: rate.requestId, ok: true });
  const failedCell = cellSel('concise/qwen3:8b/1/0');
  await page.locator(failedCell).click();
  await page.keyboard.press('Escape');
  const beforeFailed = await count();
  await page.keyboard.press('2');
  check((await count()) === beforeFailed && (await page.locator(failedCell).getAttribute('data-rating')) === null, 'a failed cell cannot be rated: nothing posted');
  // The detail has the same bar.
  await rated.click();
  const detailBar = page.locator('[data-cell-detail] [data-rating-for="key-(base)|llama3.2|1|0|0"]');
  check((await detailBar.getAttribute('data-rated')) === '5' && (await detailBar.locator('[data-action="thumbsUp"]').getAttribute('aria-pressed')) === 'true', 'the cell detail shows the same rating bar (thumbs up pressed for 5)');
  await page.locator('[data-cell-detail] .detail-title').focus();
  await page.keyboard.press('3');
  rate = await last();
  check(rate.type === 'rate' && rate.answerKey === 'key-(base)|llama3.2|1|0|0' && rate.score === 3 && rate.comment === 'Exactly the three points, nothing invented.', 'a score key in the detail rates the shown answer, keeping its comment');
  check((await rated.getAttribute('data-rating')) === '3', 'the grid follows the detail (one rating map)');
  await send({ type: 'reply', requestId: rate.requestId, ok: false, error: 'disk full' });
  check((await rated.getAttribute('data-rating')) === '5' && (await detailBar.getAttribute('data-rated')) === '5', 'an error reply rolls back the grid and the detail');
  await page.keyboard.press('Escape');

  // ---- scores.
  await send({ type: 'scores', scores: scoresView() });
  check((await page.locator('[data-show-view="scores"]').isVisible()), 'with scores the switcher offers Scores');
  await page.click('[data-show-view="scores"]');
  const scores = page.locator('[data-view="scores"]');
  check(((await scores.locator('[data-verdict]').textContent()) ?? '').includes('cannot be told apart'), 'the verdict comes first, as the host words it');
  const concise2 = scores.locator('[data-variant-score="concise-2"]');
  check((await concise2.getAttribute('data-mean')) === '4.11' && (await concise2.getAttribute('data-n')) === '18' && ((await concise2.textContent()) ?? '').includes('4.1 ± 0.3 (n = 18)') && ((await concise2.textContent()) ?? '').includes('rank 1'), `a variant's bar is labelled "4.1 ± 0.3 (n = 18)" and its rank (${await concise2.textContent()})`);
  check(((await scores.locator('[data-variant-score=""]').textContent()) ?? '').includes('tied with concise'), 'variants the data cannot separate say "tied with …"');
  check(((await scores.locator('[data-score-change]').textContent()) ?? '').includes('concise-2 vs concise: +0.8 ± 0.5 — better'), 'the change of the accepted rewrite against its parent');
  check(((await scores.locator('[data-regressions]').textContent()) ?? '').includes('case 3: Release notes v2.4 · qwen3:8b: 5 → 3'), 'regressions are listed');
  check((await scores.locator('svg[aria-hidden="true"]').count()) >= 6 && (await scores.locator('[data-strength]').count()) === 3 && (await scores.locator('[data-win-rate] td').count()) === 9, 'charts are hidden from screen readers; strengths and the win-rate matrix are drawn');
  check(((await scores.locator('[data-win-rate]').textContent()) ?? '').includes('72%') && ((await scores.locator('[data-win-rate]').textContent()) ?? '').includes('—'), 'the win-rate matrix shows rates and "—" for pairs never compared');
  const undecided: ScoresView = { ...scoresView(), change: { parent: 'concise', child: 'concise-2', difference: 0.4, halfWidth: null as unknown as number, distinguishable: false, nParent: 2, nChild: 2 }, regressions: [] };
  await send({ type: 'scores', scores: undecided });
  check(((await scores.locator('[data-score-change]').textContent()) ?? '').includes('+0.4 (too few ratings for an interval) — cannot tell yet') && (await scores.locator('[data-regressions]').count()) === 0, 'a change the data cannot show says "cannot tell yet" (an infinite interval arrives as null)');
  await scores.locator('[data-action="suggestRewrites"]').click();
  check((await last()).type === 'suggestRewrites', 'Suggest rewrites posts suggestRewrites');
  await scores.locator('[data-action="startBlind"]').click();
  check((await last()).type === 'startBlind', 'Compare blind posts startBlind');

  // ---- blind A/B.
  await send({ type: 'blindPair', pair: blindPair() });
  const blind = page.locator('[data-view="blind"]');
  check(await blind.isVisible(), 'a blind pair brings the blind view forward');
  check((await page.evaluate<boolean>('document.activeElement && document.activeElement.closest(\'[data-view="blind"]\') !== null')), 'the focus moves into the blind view (it was on the hidden Compare blind)');
  check(((await blind.locator('[data-blind-progress]').textContent()) ?? '') === '3 judged · 12 left', 'progress "3 judged · 12 left"');
  // The answers' own text may name anything; what the panel adds around them must not.
  // A string, not a function: the tools are type-checked without the DOM library.
  const labels = await page.evaluate<string>(`[...document.querySelectorAll('[data-view="blind"] :is([aria-label], [title], .blind-side-head)')]
    .filter((e) => !e.closest('.blind-answer'))
    .map((e) => (e.getAttribute('aria-label') || '') + ' ' + (e.getAttribute('title') || '') + ' ' + (e.classList.contains('blind-side-head') ? e.textContent : ''))
    .join(' | ')`);
  check(!/llama|qwen|gemma|concise|base/.test(labels) && (await blind.locator('[data-blind-side="left"] .blind-answer h2').count()) === 1, `the two answers are rendered as Markdown; nothing around them names a variant or model (${labels.slice(0, 160)}…)`);
  await blind.locator('[data-blind-comment]').fill('B keeps the caveat.');
  await blind.focus();
  await page.keyboard.press('b');
  const verdict = await last();
  check(verdict.type === 'blindVerdict' && verdict.pairId === 'pair-7' && verdict.winner === 'right' && verdict.comment === 'B keeps the caveat.', `b posts blindVerdict winner right with the comment (${JSON.stringify(verdict)})`);
  const afterVerdict = await count();
  await page.keyboard.press('a');
  check((await count()) === afterVerdict && (await blind.locator('[data-action="blindLeft"]').getAttribute('aria-disabled')) === 'true', 'no second verdict on the same pair while the next one comes');
  await send({ type: 'reply', requestId: verdict.requestId, ok: true });
  await send({ type: 'blindPair', pair: blindPair('pair-8', 4, 11) });
  check((await page.evaluate<boolean>('document.activeElement && document.activeElement.closest(\'[data-view="blind"]\') !== null')) && ((await blind.locator('[data-blind-comment]').inputValue()) === ''), 'the next pair keeps the focus in the view; the comment field is empty again');
  await page.keyboard.press('ArrowLeft');
  const left = await last();
  check(left.type === 'blindVerdict' && left.pairId === 'pair-8' && left.winner === 'left' && left.comment === undefined, '← posts A is better');
  await send({ type: 'reply', requestId: left.requestId, ok: false, error: 'pair expired' });
  check(((await page.locator('.status-line').textContent()) ?? '').includes('Could not save the verdict: pair expired') && (await blind.locator('[data-action="blindLeft"]').getAttribute('aria-disabled')) === 'false', 'a refused verdict can be given again');
  await page.keyboard.press('=');
  check((await last()).winner === 'tie', '= posts a tie');
  await send({ type: 'blindPair', pair: { ...blindPair('pair-9', 5, 10), left: hostileText, right: hostileText } });
  check((await page.evaluate('typeof window.__pwned')) === 'undefined' && (await page.locator('#root script, #root img, #root iframe, #root [onerror], #root a[href]').count()) === 0, 'hostile blind answers stay text');
  await page.keyboard.press('s');
  check((await last()).type === 'blindSkip' && (await last()).pairId === 'pair-9', 's posts blindSkip');
  await send({ type: 'blindPair', pair: blindPair('pair-10', 6, 9) });
  await blind.locator('[data-blind-comment]').fill('A draft that survives a reload');
  await send({ type: 'blindPair', message: 'No more pairs to compare.' });
  check(((await blind.textContent()) ?? '').includes('No more pairs to compare.') && !(await blind.locator('[data-blind-side="left"]').isVisible()), 'without a pair the host’s message shows');

  // ---- suggestions in three stages.
  const [streaming, checked, accepted] = suggestionStages();
  await send({ type: 'suggestions', suggestions: streaming });
  const view = page.locator('[data-view="suggestions"]');
  check(await view.isVisible(), 'a new suggestion session brings its view forward');
  check(((await view.locator('.suggestions-heading').textContent()) ?? '') === 'Improving summarize.prompt with qwen3:8b · from 18 rated answers', 'the header says what is improved, with which model and how much evidence');
  check((await view.locator('[data-suggestions-state]').getAttribute('data-state')) === 'running' && (await view.locator('[data-action="stopSuggestions"]').isVisible()), 'Stop shows while the optimizer runs');
  check(((await view.locator('[data-critique]').textContent()) ?? '').includes('bury the decision'), 'the critique streams in');
  await view.locator('[data-action="stopSuggestions"]').click();
  check((await last()).type === 'stopSuggestions', 'Stop posts stopSuggestions');
  await send({ type: 'suggestions', suggestions: checked });
  check(await view.locator('[data-action="stopSuggestions"]').isHidden(), 'Stop goes once the session is done');
  const cards = view.locator('[data-suggestion-id]');
  check((await cards.count()) === 4, 'one card per suggestion');
  const repaired = view.locator('[data-suggestion-id="s3"]');
  check((await repaired.getAttribute('data-status')) === 'repaired' && (await repaired.getAttribute('data-technique')) === 'format' && ((await repaired.textContent()) ?? '').includes('renamed back'), 'a repaired card says what was repaired');
  const rejected = view.locator('[data-suggestion-id="s4"]');
  check((await rejected.locator('[data-action="accept"], [data-action="apply"]').count()) === 0 && ((await rejected.textContent()) ?? '').includes('Drops the variable'), 'a rejected card says why and offers no accept or apply');
  const clarify = view.locator('[data-suggestion-id="s1"]');
  check((await clarify.locator('.diff-text del').count()) === 1 && (await clarify.locator('.diff-text ins').count()) === 1, 'each card shows the word diff (<del>/<ins>)');
  for (const action of ['openDiff', 'accept', 'apply', 'discard'] as const) {
    await clarify.locator(`[data-action="${action}"]`).click();
    const m = await last();
    check(m.type === 'suggestionAction' && m.suggestionId === 's1' && m.action === action, `${action} posts suggestionAction ${action}`);
    await send({ type: 'reply', requestId: m.requestId, ok: true });
  }
  await send({ type: 'suggestions', suggestions: accepted });
  check(((await clarify.textContent()) ?? '').includes('Saved as clarify') && (await clarify.locator('[data-action="runProof"]').count()) === 1 && (await clarify.locator('[data-action="accept"]').count()) === 0, 'once accepted: "Saved as clarify" and Run A/B now');
  await clarify.locator('[data-action="runProof"]').focus();
  await page.keyboard.press('Enter');
  const proof = await last();
  check(proof.type === 'suggestionAction' && proof.action === 'runProof', 'Run A/B now (by keyboard) posts runProof');
  await send({ type: 'suggestions', suggestions: { ...accepted, critique: `${accepted.critique ?? ''}\n\nUpdated.` } });
  const focused = await page.evaluate<string>('document.activeElement.tagName + " " + (document.activeElement.dataset.action || "") + " " + document.activeElement.getAttribute("tabindex")');
  check(focused.startsWith('VSCODE-BUTTON runProof'), `an update of the session keeps the focus on the same action (${focused})`);
  await send({ type: 'reply', requestId: proof.requestId, ok: false, error: 'a sweep is already running' });
  check(((await page.locator('.status-line').textContent()) ?? '').includes('Could not start the A/B run: a sweep is already running'), 'a failed action shows in the status line');
  await send({ type: 'suggestions', suggestions: { ...accepted, sessionId: 'sugg-2', state: 'failed', error: 'model "qwen3:8b" not found', items: [], critique: undefined } });
  check(((await view.locator('.suggestions-error').textContent()) ?? '').includes('model "qwen3:8b" not found'), 'a failed session shows its error');
  check((await page.locator('[data-show-view]:visible').count()) === 5, 'the switcher shows every view with data (run, sweep, scores, blind, suggestions)');

  // ---- reload: the view and the blind draft come back.
  await page.click('[data-show-view="scores"]');
  await page.waitForTimeout(300);
  await page.reload();
  await page.waitForFunction('window.__posted && window.__posted.length > 0');
  await send({ type: 'state', state: { ...ratedSweepState(), view: 'sweep', scores: scoresView(), blind: blindPair('pair-10', 6, 9) } });
  check(await page.locator('[data-view="scores"]').isVisible(), 'the chosen view (scores) survives a reload');
  await page.click('[data-show-view="blind"]');
  check((await page.locator('[data-blind-comment]').inputValue()) === 'A draft that survives a reload', 'the blind comment draft survives a reload');

  check(problems.length === 0, `no console errors or warnings${problems.length ? `: ${problems.join(' | ')}` : ''}`);
  const violations = await page.evaluate<string[]>('window.__cspViolations');
  check(violations.length === 0, `no CSP violations${violations.length ? `: ${violations.join(' | ')}` : ''}`);
}
