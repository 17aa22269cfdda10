import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isOpenableHref, markdownToTree, renderTree, treeText, type MdElement, type MdNode } from '../../webview/markdown';

/** A tiny stand-in for `document`: enough for renderTree, serialised for assertions. */
class FakeText {
  constructor(readonly data: string) {}
  toString(): string {
    return this.data.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
}

class FakeElement {
  readonly attributes: [string, string][] = [];
  readonly children: (FakeElement | FakeText)[] = [];
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string): void {
    this.attributes.push([name, value]);
  }
  append(...nodes: (FakeElement | FakeText)[]): void {
    this.children.push(...nodes);
  }
  toString(): string {
    const attrs = this.attributes.map(([n, v]) => ` ${n}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`).join('');
    return `<${this.tagName}${attrs}>${this.children.join('')}</${this.tagName}>`;
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeElement(tag),
  createTextNode: (data: string) => new FakeText(data),
};

function render(source: string): string {
  return renderTree<FakeElement | FakeText, FakeElement>(markdownToTree(source), fakeDocument).join('');
}

function elements(nodes: readonly MdNode[]): MdElement[] {
  return nodes.flatMap((n) => (n.kind === 'element' ? [n, ...elements(n.children)] : []));
}

const allowedTags = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'em', 'strong', 's', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'span', 'hr', 'br']);
const allowedAttrs = new Set(['class', 'title', 'start', 'data-href', 'data-lang', 'role', 'tabindex']);

void describe('markdownToTree', () => {
  void it('builds headings, paragraphs, emphasis and code spans', () => {
    assert.equal(render('# Title\n\nSome *soft* and **strong** `code` ~~gone~~.'), '<h1>Title</h1><p>Some <em>soft</em> and <strong>strong</strong> <code>code</code> <s>gone</s>.</p>');
  });

  void it('builds fenced and indented code blocks, keeping only a plausible language name', () => {
    assert.equal(render('```ts onload=alert(1)\nconst a = 1 < 2;\n```'), '<pre data-lang="ts"><code class="md-code-block" data-lang="ts">const a = 1 &lt; 2;\n</code></pre>');
    assert.equal(render('```<script>\nx\n```'), '<pre><code class="md-code-block">x\n</code></pre>');
    assert.equal(render('    indented'), '<pre><code class="md-code-block">indented\n</code></pre>');
  });

  void it('builds tight and loose lists, ordered lists keep their start', () => {
    assert.equal(render('- a\n- b'), '<ul><li>a</li><li>b</li></ul>');
    assert.equal(render('3. c\n4. d'), '<ol start="3"><li>c</li><li>d</li></ol>');
    assert.equal(render('- a\n\n- b'), '<ul><li><p>a</p></li><li><p>b</p></li></ul>');
  });

  void it('builds blockquotes, rules and line breaks', () => {
    assert.equal(render('> quoted\n\n---\nline one\nline two'), '<blockquote><p>quoted</p></blockquote><hr></hr><p>line one<br></br>line two</p>');
  });

  void it('builds tables with alignment as classes, never inline styles', () => {
    assert.equal(
      render('| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |'),
      '<table><thead><tr><th class="align-left">a</th><th class="align-center">b</th><th class="align-right">c</th></tr></thead>' +
        '<tbody><tr><td class="align-left">1</td><td class="align-center">2</td><td class="align-right">3</td></tr></tbody></table>',
    );
  });

  void it('keeps raw HTML as literal text', () => {
    const source = '<script>window.__pwned=1</script>\n\n<img src=x onerror="window.__pwned=1"> and <b>bold</b>';
    const tree = markdownToTree(source);
    assert.deepEqual(new Set(elements(tree).map((e) => e.tag)), new Set(['p']));
    assert.equal(treeText(tree), '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> and <b>bold</b>');
    assert.equal(render('<script>x</script>'), '<p>&lt;script&gt;x&lt;/script&gt;</p>');
  });

  void it('makes http, https and mailto links clickable through data-href, never href', () => {
    assert.equal(render('[docs](https://example.com/a?b=1)'), '<p><a class="md-link" data-href="https://example.com/a?b=1" title="https://example.com/a?b=1" role="link" tabindex="0">docs</a></p>');
    assert.match(render('[mail](mailto:me@example.com)'), /data-href="mailto:me@example.com"/);
    assert.match(render('see http://example.com/x and <https://example.org>'), /data-href="http:\/\/example.com\/x".*data-href="https:\/\/example.org"/);
    assert.doesNotMatch(render('[a](https://example.com)'), / href=/);
  });

  void it('shows other links as plain text', () => {
    assert.equal(treeText(markdownToTree('[x](javascript:window.__pwned=1)')), '[x](javascript:window.__pwned=1)');
    for (const href of ['vscode://command/workbench.action.quit', 'command:workbench.action.quit', 'file:///etc/passwd', 'data:text/html,hi', './relative.md', '#anchor', 'JaVaScRiPt:alert(1)']) {
      const tree = markdownToTree(`[click](${href})`);
      assert.equal(elements(tree).filter((e) => e.tag === 'a').length, 0, href);
      assert.match(treeText(tree), /click/, href);
    }
    assert.equal(render('[x](vscode:foo)'), '<p><span class="md-link-blocked" title="Not a web link: vscode:foo">x</span></p>');
  });

  void it('never loads images: alt text stands in, a link only for web sources', () => {
    assert.equal(
      render('![a chart](https://example.com/c.png)'),
      '<p><a class="md-link md-image" data-href="https://example.com/c.png" title="Image (not loaded): https://example.com/c.png" role="link" tabindex="0"><span class="codicon codicon-file-media"></span>a chart</a></p>',
    );
    assert.equal(render('![pixel](data:image/png;base64,AAAA)'), '<p><span class="md-image" title="Image (not loaded): data:image/png;base64,AAAA"><span class="codicon codicon-file-media"></span>pixel</span></p>');
  });

  void it('only ever produces whitelisted tags and attributes, whatever the input', () => {
    const pieces = ['<', '>', '"', "'", '`', '```', '*', '_', '[', ']', '(', ')', '!', '#', '-', '|', '\n', ' ', 'javascript:', 'https://x.io', 'onerror=', '<script>', '<img src=x>', '&lt;', '&#x3C;', 'a', '1.', '> '];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), (parts) => {
        const source = parts.join('');
        for (const el of elements(markdownToTree(source))) {
          assert.ok(allowedTags.has(el.tag), el.tag);
          for (const [name, value] of Object.entries(el.attrs)) {
            assert.ok(allowedAttrs.has(name), name);
            if (name === 'data-href') assert.ok(isOpenableHref(String(value)), String(value));
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  void it('handles a 1 MB single line', () => {
    const line = 'word **bold** '.repeat(80_000);
    const tree = markdownToTree(line);
    assert.equal(tree.length, 1);
    assert.ok(treeText(tree).length > 700_000);
  });
});

void describe('renderTree', () => {
  void it('drops tags and attributes outside the whitelist, even from a hand-made tree', () => {
    const hostile = [
      { kind: 'element', tag: 'script', attrs: {}, children: [{ kind: 'text', text: 'alert(1)' }] },
      { kind: 'element', tag: 'a', attrs: { href: 'javascript:alert(1)', onclick: 'x', style: 'color:red', 'data-href': 'https://ok.example' }, children: [] },
    ] as unknown as MdNode[];
    assert.equal(renderTree<FakeElement | FakeText, FakeElement>(hostile, fakeDocument).join(''), 'alert(1)<a data-href="https://ok.example"></a>');
  });
});

void describe('isOpenableHref', () => {
  void it('accepts absolute http, https and mailto URLs only', () => {
    for (const ok of ['http://a.b', 'https://a.b/c?d#e', 'HTTPS://A.B', 'mailto:x@y.z']) assert.equal(isOpenableHref(ok), true, ok);
    for (const bad of ['javascript:alert(1)', 'java\nscript:alert(1)', 'https://a.b/\u0000', 'vscode://x', 'command:x', 'file:///x', 'data:text/html,x', '/relative', 'relative', '//host/x', '', 'ftp://x']) {
      assert.equal(isOpenableHref(bad), false, JSON.stringify(bad));
    }
  });
});
