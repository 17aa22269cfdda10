/**
 * A tiny element builder: every node is made with createElement and textContent,
 * so nothing the host sends is ever parsed as HTML.
 */

export type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  className?: string;
  attrs?: Record<string, string | undefined>;
  text?: string;
}

/** Creates `<tag>` with a class, attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (options.className) el.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value !== undefined) el.setAttribute(name, value);
  }
  if (options.text !== undefined) el.textContent = options.text;
  appendChildren(el, children);
  return el;
}

/** Creates a custom element (vscode-elements) by tag name. */
export function custom(tag: string, options: ElementOptions = {}, children: Child[] = []): HTMLElement {
  const el = document.createElement(tag);
  if (options.className) el.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value !== undefined) el.setAttribute(name, value);
  }
  if (options.text !== undefined) el.textContent = options.text;
  appendChildren(el, children);
  return el;
}

export function appendChildren(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/**
 * The parts of a translated sentence whose `{0}`, `{1}`… stand for nodes (a key,
 * a bold word): the sentence is translated whole, its parts stay elements (never
 * HTML). A placeholder without a part is left as written.
 */
export function fill(template: string, parts: readonly Child[]): Child[] {
  return template.split(/\{(\d+)\}/).map((piece, i) => (i % 2 === 0 ? piece || null : (parts[Number(piece)] ?? `{${piece}}`)));
}

/** A codicon glyph, hidden from screen readers (the surrounding text names it). */
export function codicon(name: string, extraClass = ''): HTMLSpanElement {
  return h('span', { className: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

/** Replaces all children of `el`. */
export function replaceChildren(el: Element, children: Child[]): void {
  el.replaceChildren();
  appendChildren(el, children);
}

const svgNamespace = 'http://www.w3.org/2000/svg';

/** Creates an SVG element (charts) with attributes and children; never from markup. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number | undefined> = {}, children: (SVGElement | null | false)[] = []): SVGElementTagNameMap[K] {
  const el = document.createElementNS(svgNamespace, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined) el.setAttribute(name, String(value));
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/**
 * Lets links in a rendered answer be followed by click or Enter: they carry
 * `data-href` (never a live href) and go to the host, which asks before opening.
 */
export function handleAnswerLinks(body: HTMLElement, openLink: (href: string) => void): void {
  const activate = (event: Event): void => {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-href]') : null;
    if (!target || !body.contains(target)) return;
    event.preventDefault();
    event.stopPropagation();
    const href = target.dataset.href;
    if (href) openLink(href);
  };
  body.addEventListener('click', activate);
  body.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') activate(event);
  });
}
