import type { CutFault, FaultConfig, ServerErrorFault, StallFault } from './config';
import { faultTargets, normalizeModelName } from './config';

/** The message a crashed llama runner gives in real Ollama. */
export const defaultServerErrorMessage = 'llama runner process has terminated: exit status 2';

/** Answers "does a fault apply to this request?"; keeps the every-Nth counters. */
export class FaultInjector {
  private readonly counters = new Map<ServerErrorFault, number>();

  constructor(readonly config: FaultConfig) {}

  notFound(model: string): boolean {
    return (this.config.notFound ?? []).some((m) => normalizeModelName(m) === normalizeModelName(model));
  }

  /** The server-error fault this request triggers, if any (counts the request either way). */
  serverError(model: string): ServerErrorFault | undefined {
    let hit: ServerErrorFault | undefined;
    for (const rule of this.config.serverError ?? []) {
      if (!faultTargets(rule.model, model)) continue;
      const n = (this.counters.get(rule) ?? 0) + 1;
      this.counters.set(rule, n);
      const every = Math.max(1, Math.floor(rule.everyNth ?? 1));
      if (!hit && n % every === 0) hit = rule;
    }
    return hit;
  }

  cut(model: string): CutFault | undefined {
    return (this.config.cut ?? []).find((f) => faultTargets(f.model, model));
  }

  stall(model: string): StallFault | undefined {
    return (this.config.stall ?? []).find((f) => faultTargets(f.model, model));
  }

  /** Wall-clock load time forced by a slow-load fault, if any. */
  loadMs(model: string): number | undefined {
    return (this.config.slowLoad ?? []).find((f) => faultTargets(f.model, model))?.loadMs;
  }
}

/**
 * Reads one `--fault` flag into `into`. Model names may contain `:`, so
 * numbers are read from the right; `*` (or `all`) means every model.
 *   refuse | refuse:closed | refuse:reset [:forMs]
 *   404:model
 *   500:model[:everyNth]
 *   cut:model:afterTokens
 *   stall:model:afterTokens[:ms|forever]
 *   slowload:model:ms
 */
export function parseFaultSpec(spec: string, into: FaultConfig): void {
  const parts = spec.split(':');
  const kind = parts.shift()?.toLowerCase();
  const isNum = (s: string | undefined): boolean => s !== undefined && /^\d+$/.test(s);
  const need = (ok: boolean, shape: string): void => {
    if (!ok) throw new Error(`Fault "${spec}" should look like ${shape}`);
  };
  const modelOf = (rest: string[]): string | undefined => {
    const m = rest.join(':');
    return m === '' || m === '*' || m === 'all' ? undefined : m;
  };
  switch (kind) {
    case 'refuse': {
      const mode = parts[0] === 'reset' || parts[0] === 'closed' ? parts.shift() : undefined;
      need(parts.length === 0 || (parts.length === 1 && isNum(parts[0])), 'refuse[:closed|reset][:forMs]');
      into.refuse = (mode ?? 'closed') as 'closed' | 'reset';
      if (parts.length === 1) into.refuseForMs = Number(parts[0]);
      return;
    }
    case '404':
    case 'notfound':
      need(parts.length > 0 && parts.join(':') !== '', '404:model');
      (into.notFound ??= []).push(parts.join(':'));
      return;
    case '500':
    case 'error': {
      const everyNth = parts.length > 1 && isNum(parts.at(-1)) ? Number(parts.pop()) : undefined;
      (into.serverError ??= []).push({ model: modelOf(parts), ...(everyNth ? { everyNth } : {}) });
      return;
    }
    case 'cut':
      need(parts.length >= 2 && isNum(parts.at(-1)), 'cut:model:afterTokens');
      (into.cut ??= []).push({ afterTokens: Number(parts.pop()), model: modelOf(parts) });
      return;
    case 'stall': {
      need(parts.length >= 2, 'stall:model:afterTokens[:ms|forever]');
      let ms: number | undefined;
      const last = parts.at(-1);
      if (last === 'forever') {
        parts.pop();
      } else if (isNum(last) && parts.length >= 3 && isNum(parts.at(-2))) {
        ms = Number(parts.pop());
      }
      need(isNum(parts.at(-1)), 'stall:model:afterTokens[:ms|forever]');
      const afterTokens = Number(parts.pop());
      (into.stall ??= []).push({ afterTokens, model: modelOf(parts), ...(ms !== undefined ? { ms } : {}) });
      return;
    }
    case 'slowload':
      need(parts.length >= 2 && isNum(parts.at(-1)), 'slowload:model:ms');
      (into.slowLoad ??= []).push({ loadMs: Number(parts.pop()), model: modelOf(parts) });
      return;
    default:
      throw new Error(`Unknown fault "${spec}" (kinds: refuse, 404, 500, cut, stall, slowload)`);
  }
}
