import { describe, expect, it } from 'vitest';
import { highlightSnippet, renderMarkdown } from './markdown';

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('renderMarkdown', () => {
  it('renders ordinary Markdown', () => {
    const d = dom(renderMarkdown('# Title\n\nSome **bold** and `code`.\n\n- one\n- two'));
    expect(d.querySelector('h1')?.textContent).toBe('Title');
    expect(d.querySelector('strong')?.textContent).toBe('bold');
    expect(d.querySelectorAll('li')).toHaveLength(2);
    expect(d.querySelector('p code')?.textContent).toBe('code');
  });

  it('highlights fenced code and adds a copy button', () => {
    const d = dom(renderMarkdown('```go\nfunc main() { fmt.Println("hi") }\n```'));
    const code = d.querySelector('.code-block pre code');
    expect(code?.textContent).toBe('func main() { fmt.Println("hi") }');
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('func');
    expect(d.querySelector('.code-lang')?.textContent).toBe('go');
    expect(d.querySelector('button.copy-code')).not.toBeNull();
  });

  it('shows unknown languages as escaped text', () => {
    const d = dom(renderMarkdown('```brainfork\n<b>x</b>\n```'));
    expect(d.querySelector('pre code')?.textContent).toBe('<b>x</b>');
    expect(d.querySelector('pre b')).toBeNull();
  });

  it.each([
    ['<script>window.__x=1</script>', 'script'],
    ['<img src=x onerror="window.__x=1">', 'img[onerror]'],
    ['<iframe src="https://evil.example"></iframe>', 'iframe'],
    ['<a href="javascript:alert(1)">x</a>', 'a[href^="javascript"]'],
    ['[click](javascript:alert(1))', 'a[href^="javascript"]'],
    ['<svg><script>alert(1)</script></svg>', 'script'],
    ['<div style="background:url(x)">x</div>', '[style]'],
    ['<form action="https://x"><button>go</button></form>', 'form'],
  ])('strips %s', (input, selector) => {
    const d = dom(renderMarkdown(input));
    expect(d.querySelector(selector)).toBeNull();
    const all = [...d.querySelectorAll('*')];
    expect(all.some((e) => [...e.attributes].some((a) => a.name.startsWith('on')))).toBe(false);
  });

  it('keeps safe links and opens them outside', () => {
    const a = dom(renderMarkdown('[docs](https://go.dev/doc)')).querySelector('a')!;
    expect(a.getAttribute('href')).toBe('https://go.dev/doc');
    expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    expect(a.getAttribute('target')).toBe('_blank');
  });

  it('does not load remote images', () => {
    const img = dom(renderMarkdown('![x](https://tracker.example/p.png)')).querySelector('img');
    expect(img?.getAttribute('src') ?? null).toBeNull();
  });
});

describe('highlightSnippet', () => {
  it('escapes first, then marks', () => {
    expect(highlightSnippet('a <b> \u0002match\u0003 c')).toBe('a &lt;b&gt; <mark>match</mark> c');
  });
});
