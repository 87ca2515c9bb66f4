import { describe, expect, it } from 'vitest';
import { assistant } from './wailsjs/go/models';
import { fromForm, isCustom, matchingPreset, samplingSummary, sameSettings, toForm } from './chatsettings';

const preset = (id: number, name: string, systemPrompt: string, temperature?: number) =>
  assistant.PresetView.createFrom({ id, name, settings: { systemPrompt, temperature, maxTokens: 0 }, createdAt: 0, updatedAt: 0 });

describe('chat settings forms', () => {
  it('round-trips settings, empty fields meaning the defaults', () => {
    const s = { systemPrompt: 'Be terse.', temperature: 0.2, topP: undefined, maxTokens: 300 };
    expect(toForm(s)).toEqual({ systemPrompt: 'Be terse.', temperature: '0.2', topP: '', maxTokens: '300' });
    expect(fromForm(toForm(s))).toEqual({ settings: s });
    expect(fromForm({ systemPrompt: '  ', temperature: '', topP: ' ', maxTokens: '' }))
      .toEqual({ settings: { systemPrompt: '', temperature: undefined, topP: undefined, maxTokens: 0 } });
  });
  it('refuses values out of range', () => {
    const base = { systemPrompt: '', temperature: '', topP: '', maxTokens: '' };
    expect(fromForm({ ...base, temperature: '2.5' })).toHaveProperty('error');
    expect(fromForm({ ...base, temperature: 'warm' })).toHaveProperty('error');
    expect(fromForm({ ...base, topP: '0' })).toHaveProperty('error');
    expect(fromForm({ ...base, maxTokens: '1.5' })).toHaveProperty('error');
    expect(fromForm({ ...base, maxTokens: '-1' })).toHaveProperty('error');
  });
  it('finds the preset a chat took', () => {
    const ps = [preset(1, 'Terse', 'Be terse.'), preset(2, 'Reviewer', 'Review.', 0.2)];
    expect(matchingPreset({ systemPrompt: 'Review.', temperature: 0.2, maxTokens: 0 }, ps)?.name).toBe('Reviewer');
    expect(matchingPreset({ systemPrompt: 'Review.', temperature: 0.3, maxTokens: 0 }, ps)).toBeUndefined();
    expect(matchingPreset({ systemPrompt: '', maxTokens: 0 }, ps)).toBeUndefined();
    expect(sameSettings({ systemPrompt: 'a', maxTokens: 0 }, { systemPrompt: 'a', temperature: undefined, maxTokens: 0 })).toBe(true);
    expect(isCustom({ systemPrompt: '', maxTokens: 0 })).toBe(false);
    expect(isCustom({ systemPrompt: '', topP: 0.5, maxTokens: 0 })).toBe(true);
    expect(samplingSummary({ systemPrompt: '', temperature: 0, topP: 0.9, maxTokens: 64 })).toBe('temperature 0 · top-p 0.9 · max 64 tokens');
  });
});
