import * as vscode from 'vscode';
import type { TestCase } from './core/cases';
import { caseFileCandidates, caseLabel, parseCases } from './core/cases';
import { analyzePrompt } from './core/analysis';

/** An input a prompt is rendered with, and where it came from. */
export interface ChosenInput {
  label: string;
  input: Record<string, unknown>;
  source: 'defaults' | 'case' | 'custom';
  caseIndex?: number;
}

interface RememberedInput {
  source: ChosenInput['source'];
  caseIndex?: number;
  input?: Record<string, unknown>;
}

const memoryKey = (promptPath: string) => `promptLoop.input:${promptPath}`;

/**
 * Chooses the input for a run: the defaults, a case from the family's sidecar
 * file, or values typed in quick inputs. The last choice per prompt is
 * remembered for the workspace, so "Run" repeats it without asking.
 */
export class InputChooser {
  constructor(private readonly memento: vscode.Memento) {}

  /** The sidecar cases of the prompt's family, if a cases file exists. */
  async loadCases(promptUri: vscode.Uri): Promise<{ uri: vscode.Uri; cases: TestCase[] } | undefined> {
    if (promptUri.scheme !== 'file') return undefined;
    for (const candidate of caseFileCandidates(promptUri.fsPath)) {
      const uri = vscode.Uri.file(candidate);
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        const parsed = parseCases(new TextDecoder().decode(bytes), candidate);
        return { uri, cases: parsed.cases };
      } catch {
        // Not there: try the next format.
      }
    }
    return undefined;
  }

  /** The remembered input, or the defaults when nothing was chosen yet. */
  async current(document: vscode.TextDocument): Promise<ChosenInput> {
    const remembered = this.memento.get<RememberedInput>(memoryKey(document.uri.toString()));
    if (remembered?.source === 'case' && remembered.caseIndex !== undefined) {
      const loaded = await this.loadCases(document.uri);
      const testCase = loaded?.cases.find((c) => c.index === remembered.caseIndex);
      if (testCase) return { label: caseLabel(testCase), input: testCase.input, source: 'case', caseIndex: testCase.index };
    }
    if (remembered?.source === 'custom' && remembered.input) return { label: vscode.l10n.t('custom input'), input: remembered.input, source: 'custom' };
    return { label: vscode.l10n.t('defaults'), input: {}, source: 'defaults' };
  }

  async remember(document: vscode.TextDocument, chosen: ChosenInput): Promise<void> {
    await this.memento.update(memoryKey(document.uri.toString()), { source: chosen.source, caseIndex: chosen.caseIndex, input: chosen.source === 'custom' ? chosen.input : undefined } satisfies RememberedInput);
  }

  /** Asks which input to use; undefined when the user cancels. */
  async pick(document: vscode.TextDocument): Promise<ChosenInput | undefined> {
    const loaded = await this.loadCases(document.uri);
    type Item = vscode.QuickPickItem & { choose: () => Promise<ChosenInput | undefined> };
    const items: Item[] = [
      { label: '$(symbol-constant) ' + vscode.l10n.t('Defaults'), description: vscode.l10n.t('input.default from the frontmatter'), choose: () => Promise.resolve({ label: vscode.l10n.t('defaults'), input: {}, source: 'defaults' }) },
      { label: '$(edit) ' + vscode.l10n.t('Enter values…'), description: vscode.l10n.t('type a value for each variable'), choose: () => this.askValues(document) },
    ];
    if (loaded?.cases.length) {
      items.push({ label: vscode.workspace.asRelativePath(loaded.uri), kind: vscode.QuickPickItemKind.Separator, choose: () => Promise.resolve(undefined) });
      for (const testCase of loaded.cases) {
        items.push({ label: '$(beaker) ' + caseLabel(testCase), choose: () => Promise.resolve({ label: caseLabel(testCase), input: testCase.input, source: 'case', caseIndex: testCase.index }) });
      }
    }
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Run {0} with which input?', document.uri.path.split('/').pop() ?? ''), placeHolder: vscode.l10n.t('Defaults, a test case, or values you type') });
    const chosen = await picked?.choose();
    if (chosen) await this.remember(document, chosen);
    return chosen;
  }

  private async askValues(document: vscode.TextDocument): Promise<ChosenInput | undefined> {
    const analysis = analyzePrompt(document.getText());
    const names = [...new Set([...analysis.declared.map((d) => d.name), ...analysis.uses.map((u) => u.name)])];
    const previous = (this.memento.get<RememberedInput>(memoryKey(document.uri.toString()))?.input ?? {});
    const input: Record<string, unknown> = {};
    for (const [index, name] of names.entries()) {
      const declared = analysis.declared.find((d) => d.name === name);
      const prior = previous[name] ?? declared?.defaultValue;
      const value = await vscode.window.showInputBox({
        title: vscode.l10n.t('Value for {0} ({1}/{2})', name, index + 1, names.length),
        prompt: declared?.description,
        value: prior === undefined ? '' : typeof prior === 'string' ? prior : JSON.stringify(prior),
        ignoreFocusOut: true,
      });
      if (value === undefined) return undefined;
      input[name] = parseTypedValue(value, declared?.type);
    }
    return { label: vscode.l10n.t('custom input'), input, source: 'custom' };
  }
}

/** Values typed for non-string variables are read as JSON when they parse. */
function parseTypedValue(value: string, type: string | undefined): unknown {
  if (!type || type === 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
