import { useState } from 'react';
import type { Chat, ChatSettings, Preset } from '../api';
import { fromForm, matchingPreset, toForm, type SettingsForm } from '../chatsettings';
import { Modal } from './Modal';
import { SettingsFields } from './SettingsFields';

interface Props {
  chat: Chat;
  presets: Preset[];
  onSave: (s: ChatSettings) => Promise<boolean>;
  onManagePresets: () => void;
  onClose: () => void;
}

/** A chat's system prompt and sampling, filled from a preset or by hand. */
export function ChatSettingsDialog({ chat, presets, onSave, onManagePresets, onClose }: Props) {
  const [form, setForm] = useState<SettingsForm>(() => toForm(chat.settings));
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const parsed = fromForm(form);
  const current = 'settings' in parsed ? matchingPreset(parsed.settings, presets) : undefined;

  const save = async () => {
    if ('error' in parsed) { setError(parsed.error); return; }
    setSaving(true);
    const ok = await onSave(parsed.settings);
    setSaving(false);
    if (ok) onClose();
  };

  return (
    <Modal title="Chat settings" wide testId="chat-settings-dialog" onClose={onClose}
      footer={<>
        <button type="button" className="link-button push-left" data-testid="manage-presets" onClick={onManagePresets}>Manage presets…</button>
        <button type="button" className="button" onClick={onClose}>Cancel</button>
        <button type="button" className="button primary" data-testid="settings-save" disabled={saving} onClick={save}>Save</button>
      </>}>
      <p className="muted small">For the next answers in “{chat.title}”, whatever model it uses.</p>
      <label className="field">
        <span>Preset</span>
        <select data-testid="settings-preset" value={current ? String(current.id) : ''}
          onChange={(e) => {
            const p = presets.find((x) => String(x.id) === e.target.value);
            setForm(p ? toForm(p.settings) : toForm(undefined));
            setError('');
          }}>
          <option value="">{form.systemPrompt || form.temperature || form.topP || form.maxTokens ? 'Custom' : 'None (the model’s defaults)'}</option>
          {presets.map((p) => <option key={p.id} value={String(p.id)}>{p.name}</option>)}
        </select>
      </label>
      <SettingsFields form={form} onChange={(f) => { setForm(f); setError(''); }} idPrefix="settings" />
      {error && <p className="error-text small" role="alert">{error}</p>}
    </Modal>
  );
}
