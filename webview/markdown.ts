/**
 * Markdown for untrusted model output, without ever producing HTML strings.
 *
 * markdown-it is used only as a parser (`md.parse`); its tokens become a small
 * tree of whitelisted elements (`markdownToTree`, pure and testable in Node), and
 * `renderTree` turns that tree into nodes through a minimal document-like factory
 * (the real `document` in the webview, a fake in unit tests). Raw HTML in the
 * source stays literal text (`html: false`); links only become clickable for
 * http, https and mailto, and even then carry their target in `data-href`, never
 * in `href`, so a click can be routed to the host instead of navigating.
 */
import * as l10n from '@vscode/l10n';
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';

/** Elements the tree may contain; anything else is never created. */
export type MdTag =
  | 'p' | 'h1' | 'h2' | 'h3' | 'h4' | 'h5' | 'h6'
  | 'em' | 'strong' | 's' | 'code' | 'pre'
  | 'ul' | 'ol' | 'li' | 'blockquote'
  | 'table' | 'thead' | 'tbody' | 'tr' | 'th' | 'td'
  | 'a' | 'span' | 'hr' | 'br';

/** Attributes the tree may carry; never `href`, `src`, `style` or event handlers. */
export type MdAttr = 'class' | 'title' | 'start' | 'data-href' | 'data-lang' | 'role' | 'tabindex';

export interface MdText {
  kind: 'text';
  text: string;
}

export interface MdElement {
  kind: 'element';
  tag: MdTag;
  attrs: Partial<Record<MdAttr, string>>;
  children: MdNode[];
}

export type MdNode = MdText | MdElement;

const allowedTags: ReadonlySet<string> = new Set<MdTag>([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'em', 'strong', 's', 'code', 'pre', 'ul', 'ol', 'li',
  'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'span', 'hr', 'br',
]);
const allowedAttrs: ReadonlySet<string> = new Set<MdAttr>(['class', 'title', 'start', 'data-href', 'data-lang', 'role', 'tabindex']);

const parser = new MarkdownIt({ html: false, linkify: true, typographer: false });

/** The schemes a user may open from an answer (through the host, which asks first). */
const openableSchemes: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/** True when `href` is an absolute http, https or mailto URL. */
export function isOpenableHref(href: string): boolean {
  // The URL parser silently drops tabs and newlines ("java\nscript:"): refuse control characters outright.
  for (let i = 0; i < href.length; i++) {
    const code = href.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  try {
    return openableSchemes.has(new URL(href).protocol);
  } catch {
    return false;
  }
}

function element(tag: MdTag, attrs: MdElement['attrs'] = {}, children: MdNode[] = []): MdElement {
  return { kind: 'element', tag, attrs, children };
}

function text(value: string): MdText {
  return { kind: 'text', text: value };
}

/** Block and inline open tokens that map 1:1 to an element. */
const containerTags: Readonly<Record<string, MdTag>> = {
  paragraph_open: 'p',
  blockquote_open: 'blockquote',
  bullet_list_open: 'ul',
  ordered_list_open: 'ol',
  list_item_open: 'li',
  table_open: 'table',
  thead_open: 'thead',
  tbody_open: 'tbody',
  tr_open: 'tr',
  th_open: 'th',
  td_open: 'td',
  em_open: 'em',
  strong_open: 'strong',
  s_open: 's',
};

const headingTags: ReadonlySet<string> = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

function codeBlock(content: string, info: string): MdElement {
  // The info string is model text too: keep only a plausible language name.
  const lang = /^[\w+#.-]{1,32}/.exec(info.trim())?.[0] ?? '';
  const code = element('code', lang ? { class: 'md-code-block', 'data-lang': lang } : { class: 'md-code-block' }, [text(content)]);
  return element('pre', lang ? { 'data-lang': lang } : {}, [code]);
}

function alignClass(token: Token): string | undefined {
  const style = token.attrGet('style');
  const match = typeof style === 'string' ? /text-align:\s*(left|right|center)/.exec(style) : null;
  return match ? `align-${match[1]}` : undefined;
}

/**
 * Parses markdown into a tree of whitelisted elements. Pure: no DOM, no HTML.
 * Single newlines inside a paragraph become line breaks, as models usually mean them.
 */
export function markdownToTree(source: string): MdNode[] {
  const root = element('span');
  const stack: MdElement[] = [root];
  const top = (): MdElement => stack[stack.length - 1];
  const push = (node: MdElement): void => {
    top().children.push(node);
    stack.push(node);
  };
  const pop = (): void => {
    if (stack.length > 1) stack.pop();
  };

  const walk = (tokens: Token[]): void => {
    for (const token of tokens) {
      const tag = containerTags[token.type];
      if (tag) {
        // Tight lists hide their paragraphs: the inline content goes straight into the item.
        if (token.hidden) continue;
        const attrs: MdElement['attrs'] = {};
        if (tag === 'ol') {
          const start = token.attrGet('start');
          if (start !== null && Number.isSafeInteger(Number(start))) attrs.start = String(start);
        }
        if (tag === 'th' || tag === 'td') {
          const align = alignClass(token);
          if (align) attrs.class = align;
        }
        push(element(tag, attrs));
        continue;
      }
      if (token.type.endsWith('_close')) {
        if (token.hidden) continue;
        if (token.type === 'link_close') {
          finishLink();
          continue;
        }
        pop();
        continue;
      }
      switch (token.type) {
        case 'heading_open':
          push(element(headingTags.has(token.tag) ? (token.tag as MdTag) : 'p'));
          break;
        case 'inline':
          walk(token.children ?? []);
          break;
        case 'text':
        case 'html_inline':
        case 'html_block':
          // With html:false markdown-it emits no html tokens; if it ever did, they stay text.
          appendText(token.content);
          break;
        case 'code_inline':
          top().children.push(element('code', {}, [text(token.content)]));
          break;
        case 'fence':
        case 'code_block':
          top().children.push(codeBlock(token.content, token.type === 'fence' ? token.info : ''));
          break;
        case 'softbreak':
        case 'hardbreak':
          top().children.push(element('br'));
          break;
        case 'hr':
          top().children.push(element('hr'));
          break;
        case 'link_open':
          startLink(String(token.attrGet('href') ?? ''));
          break;
        case 'image':
          top().children.push(imageStandIn(token));
          break;
        default:
          // An unknown token with content is shown as text rather than dropped.
          if (token.content) appendText(token.content);
      }
    }
  };

  const appendText = (value: string): void => {
    if (!value) return;
    const children = top().children;
    const last = children[children.length - 1];
    if (last?.kind === 'text') last.text += value;
    else children.push(text(value));
  };

  // Links whose target may not be opened still show their text, as plain text.
  const startLink = (href: string): void => {
    if (isOpenableHref(href)) {
      push(element('a', { class: 'md-link', 'data-href': href, title: href, role: 'link', tabindex: '0' }));
    } else {
      push(element('span', { class: 'md-link-blocked', title: href ? l10n.t('Not a web link: {0}', href) : l10n.t('Empty link') }));
    }
  };
  const finishLink = (): void => pop();

  walk(parser.parse(source, {}));
  return root.children;
}

/** Images are never loaded: their alt text stands in, as a link when the source is a web URL. */
function imageStandIn(token: Token): MdElement {
  const src = String(token.attrGet('src') ?? '');
  const alt = token.children?.map((child) => child.content).join('') || token.content || l10n.t('image');
  const label = [element('span', { class: 'codicon codicon-file-media' }), text(alt)];
  if (isOpenableHref(src)) {
    return element('a', { class: 'md-link md-image', 'data-href': src, title: l10n.t('Image (not loaded): {0}', src), role: 'link', tabindex: '0' }, label);
  }
  return element('span', { class: 'md-image', title: src ? l10n.t('Image (not loaded): {0}', src) : l10n.t('Image (not loaded)') }, label);
}

/** The smallest slice of `Document` the renderer needs; `document` satisfies it. */
export interface MdDocument<N, E extends N> {
  createElement(tag: string): E;
  createTextNode(data: string): N;
}

/** The smallest slice of `Element` the renderer needs. */
export interface MdDomElement<N> {
  setAttribute(name: string, value: string): void;
  append(...nodes: N[]): void;
}

/**
 * Builds nodes for a tree through `doc`. Only whitelisted tags and attributes are
 * created, so even a hand-made tree cannot produce a script or an event handler.
 */
export function renderTree<N, E extends N & MdDomElement<N>>(nodes: readonly MdNode[], doc: MdDocument<N, E>): N[] {
  const out: N[] = [];
  for (const node of nodes) {
    if (node.kind === 'text') {
      out.push(doc.createTextNode(node.text));
      continue;
    }
    if (!allowedTags.has(node.tag)) {
      out.push(...renderTree(node.children, doc));
      continue;
    }
    const el = doc.createElement(node.tag);
    for (const [name, value] of Object.entries(node.attrs)) {
      if (allowedAttrs.has(name) && typeof value === 'string') el.setAttribute(name, value);
    }
    el.append(...renderTree(node.children, doc));
    out.push(el);
  }
  return out;
}

/** The text a tree shows, as a reader sees it (for tests and accessible labels). */
export function treeText(nodes: readonly MdNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.tag === 'br') out += '\n';
    else out += treeText(node.children);
  }
  return out;
}
