/**
 * What the workspace store keeps. Every record is a plain JSON object, written
 * one per line in stable order, so the files diff and merge well in git.
 *
 * Layout under the store folder (`.promptloop/` by default):
 *   answers/<ab>.jsonl             AnswerRecord, sharded by the first two hex digits
 *                                  of the key: large, written once (the cache).
 *   answers/families.jsonl         {"family"} per family with answers, so listing
 *                                  families never reads a shard.
 *   prompts/<ab>.jsonl             PromptRecord, sharded by the first two hex digits
 *                                  of the hash (= AnswerRecord.promptHash): one line
 *                                  per distinct rendered request, by hash, written
 *                                  once and shared by every answer to it.
 *   runs/<family>/<runId>.jsonl    one RunRecord header line + one CellRecord per line:
 *                                  a sweep or a single run, rewritten (debounced) as
 *                                  cells finish; derivable again from plan + answers.
 *                                  A 'running' run names its owner process; one whose
 *                                  owner is gone is reported 'interrupted' when read.
 *   ratings/<family>.jsonl         RatingRecord: small, often written.
 *   pairs/<family>.jsonl           PairRecord (blind A/B verdicts).
 *   suggestions/<family>.jsonl     SuggestionRecord (suggested rewrites).
 *   lineage/<family>.jsonl         LineageRecord (which variant came from which).
 * `<family>` is the family id (see `familyFileName`). Also: `.lock` while a process
 * writes (see promptStore.ts), `.<name>.tmp` during a write, and `<name>.corrupt-<time>`
 * for a damaged file moved aside.
 */
import type { AnswerError, AnswerMetrics, CellStatus, SweepParams } from '../protocol';

/**
 * A family id: the workspace-relative POSIX path of the base prompt without
 * `.prompt`, e.g. `summarize` or `prompts/summarize`.
 */
export type FamilyId = string;

/** One model answer, addressed by its cache key. */
export interface AnswerRecord {
  /** The cache key (hex SHA-256 of model digest, messages, options, format and repeat). */
  key: string;
  family: FamilyId;
  /** '' = the base prompt. */
  variant: string;
  model: string;
  /** The model's digest from the server's model list, when known. */
  modelDigest?: string;
  host: string;
  /** Hex hash of the case input (stable when the cases file is reordered). */
  caseKey: string;
  params: SweepParams;
  repeat: number;
  /** Hex hash of the rendered request without the model: messages, options, format. */
  promptHash: string;
  status: 'done' | 'stopped' | 'failed';
  text: string;
  thinking?: string;
  error?: AnswerError;
  metrics: AnswerMetrics;
  /** Epoch ms. */
  createdAt: number;
  runId?: string;
}

/**
 * A rendered request, stored once per distinct prompt (many answers share it): what
 * exports of preference pairs and the optimizer need besides the answers.
 * `messages` carry no images: callers strip them before storing (base64 images would
 * bloat the shards, and prompts are for reading, not for sending again).
 */
export interface PromptRecord {
  /** = AnswerRecord.promptHash (hex SHA-256 of messages, options and format). */
  hash: string;
  family: FamilyId;
  /** The variant that first rendered it ('' = base); other variants may render the same. */
  variant: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  options: Record<string, unknown>;
  format?: string | Record<string, unknown>;
  /** The case input it was rendered with. */
  input: Record<string, unknown>;
  /** Epoch ms. */
  createdAt: number;
}

/** The process running a run (see `ownerInfo` in promptStore.ts). */
export interface RunOwner {
  pid: number;
  /** os.hostname() of the machine it runs on. */
  host: string;
  /** When the process started (epoch ms): tells it from a later process given the same pid. */
  startedAt: number;
}

/** The header of a run file. */
export interface RunRecord {
  runId: string;
  kind: 'sweep' | 'single';
  family: FamilyId;
  createdAt: number;
  finishedAt?: number;
  /**
   * 'interrupted': the process ended while it was running. The store reports a
   * 'running' run so when its owner is a dead process on this host, or when it has
   * no owner and its file was not written for 10 minutes; the file keeps 'running'.
   */
  state: 'running' | 'finished' | 'cancelled' | 'interrupted';
  /** The process running it; set by writers while the state is 'running'. */
  owner?: RunOwner;
  variants: string[];
  models: string[];
  cases: { index: number; caseKey: string; label: string; input: Record<string, unknown> }[];
  params: SweepParams[];
  repeats: number;
}

/** One cell of a run (a request), pointing at its answer. */
export interface CellRecord {
  cellId: string;
  variant: string;
  model: string;
  caseIndex: number;
  paramsIndex: number;
  repeat: number;
  status: CellStatus;
  /** The AnswerRecord's key; set once the request was planned with a known digest. */
  answerKey?: string;
  error?: AnswerError;
  attempts?: number;
}

/** A user's rating of one answer. */
export interface RatingRecord {
  /** Stable id (random); editing keeps it. */
  id: string;
  answerKey: string;
  family: FamilyId;
  variant: string;
  model: string;
  caseKey: string;
  params?: SweepParams;
  /** 1–5 (thumbs up = 5, thumbs down = 1). */
  score: number;
  comment?: string;
  tags?: string[];
  createdAt: number;
  updatedAt: number;
}

/** A blind A/B verdict between two answers to the same case. */
export interface PairRecord {
  id: string;
  family: FamilyId;
  caseKey: string;
  /** The answers as they were shown, left then right. */
  left: { answerKey: string; variant: string; model: string };
  right: { answerKey: string; variant: string; model: string };
  winner: 'left' | 'right' | 'tie';
  comment?: string;
  createdAt: number;
}

/** A suggested rewrite of a prompt. */
export interface SuggestionRecord {
  id: string;
  family: FamilyId;
  /** The variant it rewrites ('' = base). */
  parentVariant: string;
  technique: string;
  critique: string;
  /** The whole rewritten .prompt file. */
  text: string;
  optimizerModel: string;
  createdAt: number;
  status: 'offered' | 'accepted' | 'applied' | 'discarded';
  /** Set when accepted as a new variant. */
  acceptedAs?: string;
}

/** Where a variant came from. */
export interface LineageRecord {
  family: FamilyId;
  variant: string;
  parent: string;
  suggestionId?: string;
  technique?: string;
  createdAt: number;
}

/** Something went wrong with a store file; said to the user, never silently ignored. */
export interface StoreProblem {
  kind: 'corrupt' | 'unwritable' | 'locked' | 'io';
  /** The file (absolute path). */
  file: string;
  /** A sentence for the user: what happened, where the data is, what to do. */
  message: string;
  /** Where a corrupt file was moved to, when it was. */
  movedTo?: string;
}
