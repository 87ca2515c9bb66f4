import { describe, expect, it } from 'vitest';
import { composerAction } from './keys';

const k = (key: string, over: Partial<{ shiftKey: boolean; isComposing: boolean; generating: boolean }> = {}) =>
  composerAction({ key, shiftKey: false, isComposing: false, generating: false, ...over });

describe('composerAction', () => {
  it('Enter sends, Shift+Enter is a newline', () => {
    expect(k('Enter')).toBe('send');
    expect(k('Enter', { shiftKey: true })).toBe('newline');
  });
  it('Enter while an IME composes does nothing', () => {
    expect(k('Enter', { isComposing: true })).toBeNull();
  });
  it('Enter does not send while an answer is generating; Escape stops it', () => {
    expect(k('Enter', { generating: true })).toBeNull();
    expect(k('Escape', { generating: true })).toBe('stop');
    expect(k('Escape')).toBeNull();
  });
  it('other keys do nothing', () => {
    expect(k('a')).toBeNull();
  });
});
