/**
 * The sweep plan: the matrix of variants × models × cases × parameter points ×
 * repeats, each cell one request with a stable id, rendered once per
 * variant × case × parameter point. Pure apart from the render function passed in.
 */
import type { TestCase } from '../cases';
import { caseLabel } from '../cases';
import type { OllamaChatMessage } from '../prompt';
import type { SweepCaseView, SweepParams } from '../protocol';
import type { FamilyId } from '../store/records';
import { hashOf, shortHashOf } from './hash';

/** One variant's prompt text, as it should be rendered (unsaved editor text included). */
export interface SweepVariantSource {
  /** '' = the base prompt. */
  variant: string;
  source: string;
  /** Absolute path (partials resolve from its folder). */
  path: string;
}

/** What the user chose. */
export interface SweepRequest {
  family: { id: FamilyId; name: string; /** Display path of the base prompt. */ path: string };
  variants: SweepVariantSource[];
  models: string[];
  /** Empty: one row rendered with the frontmatter defaults. */
  cases: TestCase[];
  grid?: { temperatures?: number[]; seeds?: number[] };
  /** Requests per cell (default 1). */
  repeats?: number;
  sweepId?: string;
}

/** A prompt rendered into the request Ollama gets. */
export interface RenderedRequest {
  messages: OllamaChatMessage[];
  options: Record<string, unknown>;
  format?: string | Record<string, unknown>;
}

/** Renders one variant with one input; throws (PromptParseError / PromptRenderError) when it cannot. */
export type SweepRenderer = (variant: SweepVariantSource, input: Record<string, unknown>) => Promise<RenderedRequest>;

export interface PlannedRequest extends RenderedRequest {
  /** Hash of messages, options and format (the prompt without the model). */
  promptHash: string;
}

export interface PlannedCell {
  cellId: string;
  variant: string;
  model: string;
  /** Index into `SweepPlan.cases`. */
  caseIndex: number;
  paramsIndex: number;
  repeat: number;
  caseKey: string;
  /** Undefined when the variant could not be rendered with this case (see renderError). */
  request?: PlannedRequest;
  renderError?: string;
}

export interface PlannedCase extends SweepCaseView {
  caseKey: string;
}

export interface SweepPlan {
  sweepId: string;
  family: FamilyId;
  familyName: string;
  familyPath: string;
  variants: string[];
  models: string[];
  cases: PlannedCase[];
  params: SweepParams[];
  repeats: number;
  /** Ordered model by model, then variant, case, parameter point, repeat. */
  cells: PlannedCell[];
}

/** Largest sweep the planner accepts: beyond it a typo in a grid is more likely than intent. */
export const maxSweepCells = 100_000;

/** The hash that identifies a case by its input, whatever its position in the file. */
export function caseKeyOf(input: Record<string, unknown>): string {
  return hashOf({ input }).slice(0, 32);
}

/** The parameter points of a grid: every temperature × every seed, `[{}]` without a grid. */
export function gridPoints(grid: SweepRequest['grid']): SweepParams[] {
  const temperatures: (number | undefined)[] = grid?.temperatures?.length ? [...new Set(grid.temperatures)] : [undefined];
  const seeds: (number | undefined)[] = grid?.seeds?.length ? [...new Set(grid.seeds)] : [undefined];
  const points: SweepParams[] = [];
  for (const temperature of temperatures) {
    for (const seed of seeds) {
      const point: SweepParams = {};
      if (temperature !== undefined) point.temperature = temperature;
      if (seed !== undefined) point.seed = seed;
      points.push(point);
    }
  }
  return points;
}

/** "t=0.7 · seed 42", or "" for the empty point. */
export function paramsLabel(params: SweepParams): string {
  const parts: string[] = [];
  if (params.temperature !== undefined) parts.push(`t=${params.temperature}`);
  if (params.seed !== undefined) parts.push(`seed ${params.seed}`);
  return parts.join(' · ');
}

/** The number of cells a request makes, without rendering anything. */
export function sweepSize(request: Pick<SweepRequest, 'variants' | 'models' | 'cases' | 'grid' | 'repeats'>): number {
  return request.variants.length * request.models.length * Math.max(1, request.cases.length) * gridPoints(request.grid).length * Math.max(1, request.repeats ?? 1);
}

/** A fresh sweep id: sortable by time, unique enough for one workspace. */
export function newSweepId(now = Date.now()): string {
  return `sweep-${now.toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/**
 * Plans a sweep: renders every variant × case × parameter point once, and lays
 * out one cell per model and repeat. A variant that cannot be rendered with a
 * case still gets its cells, with `renderError` set, so the grid shows why.
 */
export async function planSweep(request: SweepRequest, render: SweepRenderer): Promise<SweepPlan> {
  const repeats = Math.max(1, Math.floor(request.repeats ?? 1));
  if (request.variants.length === 0) throw new Error('Choose at least one variant to sweep.');
  if (request.models.length === 0) throw new Error('Choose at least one model to sweep.');
  const size = sweepSize(request);
  if (size > maxSweepCells) throw new Error(`That sweep has ${size.toLocaleString('en-US')} cells; the limit is ${maxSweepCells.toLocaleString('en-US')}. Choose fewer variants, models, cases, parameter points or repeats.`);

  const sourceCases: TestCase[] = request.cases.length > 0 ? request.cases : [{ index: 0, input: {} }];
  const cases: PlannedCase[] = sourceCases.map((testCase) => ({
    index: testCase.index,
    label: request.cases.length > 0 ? caseLabel(testCase) : 'defaults',
    input: testCase.input,
    caseKey: caseKeyOf(testCase.input),
  }));
  const params = gridPoints(request.grid);

  // Render each variant × case once; parameter points only change options.
  const rendered = new Map<string, { request?: RenderedRequest; error?: string }>();
  for (const variant of request.variants) {
    for (const [caseIndex, testCase] of cases.entries()) {
      try {
        rendered.set(`${variant.variant}\u0000${caseIndex}`, { request: await render(variant, testCase.input) });
      } catch (error) {
        rendered.set(`${variant.variant}\u0000${caseIndex}`, { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  // Two cases with the same input are still two rows: the second gets its own cell ids.
  const seen = new Map<string, number>();
  const occurrence = cases.map((c) => {
    const n = seen.get(c.caseKey) ?? 0;
    seen.set(c.caseKey, n + 1);
    return n;
  });

  const cells: PlannedCell[] = [];
  for (const model of request.models) {
    for (const variant of request.variants) {
      for (const [caseIndex, testCase] of cases.entries()) {
        const base = rendered.get(`${variant.variant}\u0000${caseIndex}`)!;
        for (const [paramsIndex, point] of params.entries()) {
          const planned = base.request && withParams(base.request, point);
          for (let repeat = 0; repeat < repeats; repeat++) {
            cells.push({
              cellId: shortHashOf({ variant: variant.variant, model, caseKey: testCase.caseKey, params: point, repeat, ...(occurrence[caseIndex] ? { occurrence: occurrence[caseIndex] } : {}) }),
              variant: variant.variant,
              model,
              caseIndex,
              paramsIndex,
              repeat,
              caseKey: testCase.caseKey,
              ...(planned ? { request: planned } : { renderError: base.error }),
            });
          }
        }
      }
    }
  }

  return {
    sweepId: request.sweepId ?? newSweepId(),
    family: request.family.id,
    familyName: request.family.name,
    familyPath: request.family.path,
    variants: request.variants.map((v) => v.variant),
    models: [...request.models],
    cases,
    params,
    repeats,
    cells,
  };
}

function withParams(request: RenderedRequest, point: SweepParams): PlannedRequest {
  const options = { ...request.options };
  if (point.temperature !== undefined) options.temperature = point.temperature;
  if (point.seed !== undefined) options.seed = point.seed;
  const planned: PlannedRequest = { messages: request.messages, options, promptHash: '' };
  if (request.format !== undefined) planned.format = request.format;
  planned.promptHash = promptHashOf(planned);
  return planned;
}

/** The hash of a rendered request without the model: what answers to the same prompt share. */
export function promptHashOf(request: RenderedRequest): string {
  return hashOf({ messages: request.messages, options: request.options, format: request.format ?? null });
}

/**
 * The cache key of a cell: the model's digest (its name when the server gave
 * none), the exact messages, the options (seed included), the output format and
 * the repeat index — and whose answer it is (family and variant), so that a
 * freshly copied variant gets answers, and ratings, of its own.
 */
export function cacheKeyOf(cell: Pick<PlannedCell, 'model' | 'repeat' | 'variant'> & { request: PlannedRequest }, modelDigest: string | undefined, family: string): string {
  return hashOf({
    v: 2,
    family,
    variant: cell.variant,
    model: modelDigest ? { digest: modelDigest } : { name: cell.model },
    messages: cell.request.messages,
    options: cell.request.options,
    format: cell.request.format ?? null,
    repeat: cell.repeat,
  });
}
