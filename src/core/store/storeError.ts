/**
 * Store failures as problems a user can act on: which file or folder, what
 * happened, whether anything was lost, and what to do.
 */
import { dirname } from 'node:path';
import { errorCode } from './jsonlFile';
import type { StoreProblem } from './records';

/** A store operation failed; `problem` says how, in words for the user. */
export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly problem: StoreProblem,
    options?: { cause?: unknown },
  ) {
    super(problem.message, options);
  }
}

const unwritableCodes = new Set(['EACCES', 'EPERM', 'EROFS']);
const fullCodes = new Set(['ENOSPC', 'EDQUOT']);

/** The problem for a failed write of `file`: 'unwritable' for permissions, 'io' otherwise. */
export function writeProblem(file: string, error: unknown): StoreProblem {
  const code = errorCode(error);
  const folder = dirname(file);
  if (code !== undefined && unwritableCodes.has(code)) {
    const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable';
    return {
      kind: 'unwritable',
      file,
      message: `Prompt Loop could not save ${file}: the folder ${folder} ${why} (${code}). Make the folder writable or move the workspace somewhere writable; the file keeps its earlier content.`,
    };
  }
  if (code !== undefined && fullCodes.has(code)) {
    return {
      kind: 'io',
      file,
      message: `Prompt Loop could not save ${file}: the disk is full (${code}). Free some space and try again; the file keeps its earlier content.`,
    };
  }
  return {
    kind: 'io',
    file,
    message: `Prompt Loop could not save ${file}: ${describe(error)}. The file keeps its earlier content; try again.`,
  };
}

/** The problem for a file that exists but could not be read. */
export function readProblem(file: string, error: unknown): StoreProblem {
  const code = errorCode(error);
  const kind = code !== undefined && unwritableCodes.has(code) ? 'unwritable' : 'io';
  return { kind, file, message: `Prompt Loop could not read ${file}: ${describe(error)}. Check the file's permissions.` };
}

/**
 * The problem for a damaged file whose readable lines were kept (`headerLost`: a
 * run file without its header line, which cannot be used at all).
 */
export function corruptProblem(file: string, lost: number, total: number, movedTo: string, headerLost = false): StoreProblem {
  const lines = lost === 1 ? '1 line' : `${lost} lines`;
  const what = headerLost
    ? `its run header line is missing or damaged, so the run (${lines}) cannot be read`
    : `${lines} of ${total} could not be read and were dropped; the ${total - lost} readable records were kept`;
  return {
    kind: 'corrupt',
    file,
    movedTo,
    message: `Prompt Loop found a damaged store file ${file}: ${what}. The original file was moved to ${movedTo}, so nothing is lost: recover lines from it by hand if they matter.`,
  };
}

function describe(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
}
