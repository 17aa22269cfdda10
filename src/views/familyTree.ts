import * as vscode from 'vscode';
import * as path from 'node:path';
import type { TestCase } from '../core/cases';
import { caseLabel } from '../core/cases';
import type { VariantFamily } from '../core/family';
import { variantLabel } from '../core/family';
import type { FamilyIndex } from '../familyIndex';

export const familyTreeViewId = 'promptLoop.families';

/** What a variant's row says about its score; filled in once ratings exist. */
export type VariantScoreLookup = (family: VariantFamily, variant: string) => Promise<string | undefined>;

type Node =
  | { kind: 'family'; family: VariantFamily }
  | { kind: 'variant'; family: VariantFamily; variant: string; path: string }
  | { kind: 'cases'; family: VariantFamily; uri: vscode.Uri; cases: TestCase[]; problems: number }
  | { kind: 'case'; family: VariantFamily; uri: vscode.Uri; testCase: TestCase };

/**
 * The Explorer's "Prompt Families" view: each family with its variants (and
 * their scores, once rated) and its test cases. Inline actions run, sweep and
 * compare without the command palette.
 */
export class FamilyTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private scoreOf: VariantScoreLookup = () => Promise.resolve(undefined);

  private constructor(private readonly families: FamilyIndex) {}

  static register(context: vscode.ExtensionContext, families: FamilyIndex): FamilyTree {
    const tree = new FamilyTree(families);
    const view = vscode.window.createTreeView(familyTreeViewId, { treeDataProvider: tree, showCollapseAll: true });
    context.subscriptions.push(view, tree.changed, families.onDidChange(() => tree.refresh()));
    void families.all().then((all) => vscode.commands.executeCommand('setContext', 'promptLoop.hasPrompts', all.length > 0));
    return tree;
  }

  /** Shows scores beside variants (set by the ratings feature). */
  setScoreLookup(lookup: VariantScoreLookup): void {
    this.scoreOf = lookup;
    this.refresh();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const all = await this.families.all();
      void vscode.commands.executeCommand('setContext', 'promptLoop.hasPrompts', all.length > 0);
      return all.map((family) => ({ kind: 'family', family }));
    }
    if (node.kind === 'family') {
      const children: Node[] = node.family.variants.map((v) => ({ kind: 'variant', family: node.family, variant: v.variant, path: v.path }));
      const parsed = await this.families.cases(node.family);
      if (parsed) children.push({ kind: 'cases', family: node.family, uri: parsed.uri, cases: parsed.cases, problems: parsed.problems.length });
      return children;
    }
    if (node.kind === 'cases') return node.cases.map((testCase) => ({ kind: 'case', family: node.family, uri: node.uri, testCase }));
    return [];
  }

  async getTreeItem(node: Node): Promise<vscode.TreeItem> {
    switch (node.kind) {
      case 'family': {
        const item = new vscode.TreeItem(node.family.name, vscode.TreeItemCollapsibleState.Expanded);
        const folder = path.posix.dirname(node.family.id);
        item.description = folder === '.' ? undefined : folder;
        item.tooltip = vscode.l10n.t('{0}: {1} variants', node.family.id, node.family.variants.length);
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'promptLoop.family';
        item.id = `family:${node.family.folder}:${node.family.name}`;
        return item;
      }
      case 'variant': {
        const uri = vscode.Uri.file(node.path);
        const item = new vscode.TreeItem(variantLabel(node.variant), vscode.TreeItemCollapsibleState.None);
        item.resourceUri = uri;
        item.description = (await this.scoreOf(node.family, node.variant)) ?? path.basename(node.path);
        item.tooltip = node.path;
        item.iconPath = new vscode.ThemeIcon(node.variant === '' ? 'file' : 'git-branch');
        item.command = { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [uri] };
        item.contextValue = node.variant === '' ? 'promptLoop.variant.base' : 'promptLoop.variant';
        item.id = `variant:${node.path}`;
        return item;
      }
      case 'cases': {
        const item = new vscode.TreeItem(vscode.l10n.t('Test cases'), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = node.problems > 0 ? vscode.l10n.t('{0} · {1} problems', node.cases.length, node.problems) : String(node.cases.length);
        item.iconPath = new vscode.ThemeIcon(node.problems > 0 ? 'warning' : 'checklist');
        item.resourceUri = node.uri;
        item.tooltip = node.uri.fsPath;
        item.contextValue = 'promptLoop.cases';
        item.id = `cases:${node.uri.fsPath}`;
        return item;
      }
      case 'case': {
        const item = new vscode.TreeItem(caseLabel(node.testCase), vscode.TreeItemCollapsibleState.None);
        item.tooltip = JSON.stringify(node.testCase.input, null, 2);
        item.iconPath = new vscode.ThemeIcon('symbol-field');
        const line = node.testCase.line ?? 0;
        item.command = { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [node.uri, { selection: new vscode.Range(line, 0, line, 0) }] };
        item.contextValue = 'promptLoop.case';
        return item;
      }
    }
  }
}

/** The file a tree node (or a URI passed by a menu) stands for. */
export function uriOfTreeArgument(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const node = arg as Partial<Node> | undefined;
  if (node?.kind === 'variant' && node.path) return vscode.Uri.file(node.path);
  if (node?.kind === 'family' && node.family) return vscode.Uri.file(node.family.variants[0].path);
  return undefined;
}
