import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { ThinkingBlock } from './ThinkingBlock';

function render(reasoning: string, streaming: boolean, answering: boolean): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = renderToStaticMarkup(<ThinkingBlock reasoning={reasoning} streaming={streaming} answering={answering} />);
  return div;
}

describe('ThinkingBlock', () => {
  it('shows the reasoning collapsed, as plain text', () => {
    const d = render('First <b>this</b>,\nthen that.', false, true);
    const details = d.querySelector('details[data-testid="thinking"]') as HTMLDetailsElement;
    expect(details).not.toBeNull();
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')?.textContent).toBe('Thinking');
    expect(d.querySelector('[data-testid="thinking-text"]')?.textContent).toBe('First <b>this</b>,\nthen that.');
    expect(d.querySelector('b')).toBeNull();
  });
  it('says it is still thinking until the answer starts', () => {
    expect(render('So far', true, false).querySelector('summary')?.textContent).toBe('Thinking…');
    expect(render('So far', true, true).querySelector('summary')?.textContent).toBe('Thinking');
    expect(render('So far', true, false).querySelector('details')?.open).toBe(false);
  });
  it('shows nothing without reasoning', () => {
    expect(render('', true, false).innerHTML).toBe('');
    expect(render('', false, true).innerHTML).toBe('');
  });
});
