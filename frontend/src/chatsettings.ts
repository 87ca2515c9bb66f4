// Chat settings (system prompt and sampling) as the forms edit them: text
// fields, where an empty one means "the model's default". Pure, so it is
// tested without a browser.
import type { ChatSettings, Preset } from './api';

export interface SettingsForm {
  systemPrompt: string;
  temperature: string;
  topP: string;
  maxTokens: string;
}

export const emptyForm: SettingsForm = { systemPrompt: '', temperature: '', topP: '', maxTokens: '' };

export function toForm(s: ChatSettings | undefined): SettingsForm {
  if (!s) return emptyForm;
  return {
    systemPrompt: s.systemPrompt ?? '',
    temperature: s.temperature === undefined || s.temperature === null ? '' : String(s.temperature),
    topP: s.topP === undefined || s.topP === null ? '' : String(s.topP),
    maxTokens: s.maxTokens ? String(s.maxTokens) : '',
  };
}

/** The settings a form describes, or the first field in error. */
export function fromForm(f: SettingsForm): { settings: ChatSettings } | { error: string } {
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const temperature = num(f.temperature);
  const topP = num(f.topP);
  const maxTokens = num(f.maxTokens) ?? 0;
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) return { error: 'Temperature: 0 to 2, or empty for the model’s default' };
  if (topP !== undefined && !(topP > 0 && topP <= 1)) return { error: 'Top-p: more than 0, at most 1, or empty for the model’s default' };
  if (!Number.isInteger(maxTokens) || maxTokens < 0 || maxTokens > 200000) return { error: 'Max tokens: a whole number up to 200000, or empty for the model’s default' };
  return { settings: { systemPrompt: f.systemPrompt.trim(), temperature, topP, maxTokens } };
}

function same(a: number | undefined | null, b: number | undefined | null): boolean {
  return (a ?? null) === (b ?? null);
}

/** Whether two settings ask for the same thing. */
export function sameSettings(a: ChatSettings | undefined, b: ChatSettings | undefined): boolean {
  if (!a || !b) return false;
  return a.systemPrompt.trim() === b.systemPrompt.trim() && same(a.temperature, b.temperature) && same(a.topP, b.topP) && (a.maxTokens || 0) === (b.maxTokens || 0);
}

/** Whether settings ask for anything beyond the model's defaults. */
export function isCustom(s: ChatSettings | undefined): boolean {
  return !!s && (s.systemPrompt.trim() !== '' || s.temperature != null || s.topP != null || (s.maxTokens || 0) > 0);
}

/** The preset whose settings a chat has, if any. */
export function matchingPreset(s: ChatSettings | undefined, presets: Preset[]): Preset | undefined {
  return isCustom(s) ? presets.find((p) => sameSettings(p.settings, s)) : undefined;
}

/** A one-line summary of the sampling settings ("" when all are defaults). */
export function samplingSummary(s: ChatSettings | undefined): string {
  if (!s) return '';
  const parts: string[] = [];
  if (s.temperature != null) parts.push(`temperature ${s.temperature}`);
  if (s.topP != null) parts.push(`top-p ${s.topP}`);
  if (s.maxTokens) parts.push(`max ${s.maxTokens} tokens`);
  return parts.join(' · ');
}
