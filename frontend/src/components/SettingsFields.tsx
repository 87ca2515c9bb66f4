import type { SettingsForm } from '../chatsettings';

interface Props {
  form: SettingsForm;
  onChange: (f: SettingsForm) => void;
  idPrefix: string;
}

/** The system prompt and sampling fields shared by the chat settings and the presets. */
export function SettingsFields({ form, onChange, idPrefix }: Props) {
  const set = (k: keyof SettingsForm) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange({ ...form, [k]: e.target.value });
  return (
    <div className="settings-fields">
      <label className="field">
        <span>System prompt</span>
        <textarea data-testid={`${idPrefix}-system`} rows={6} value={form.systemPrompt} onChange={set('systemPrompt')}
          placeholder="How the model should answer, e.g. “You review Go code. Point out bugs first.” Empty: the model’s own (local models have one)." />
      </label>
      <div className="sampling-row">
        <label className="field">
          <span>Temperature</span>
          <input type="number" data-testid={`${idPrefix}-temperature`} min={0} max={2} step={0.1} value={form.temperature} onChange={set('temperature')} placeholder="default" />
        </label>
        <label className="field">
          <span>Top-p</span>
          <input type="number" data-testid={`${idPrefix}-topp`} min={0.01} max={1} step={0.05} value={form.topP} onChange={set('topP')} placeholder="default" />
        </label>
        <label className="field">
          <span>Max tokens</span>
          <input type="number" data-testid={`${idPrefix}-max`} min={1} max={200000} step={1} value={form.maxTokens} onChange={set('maxTokens')} placeholder="default" />
        </label>
      </div>
      <p className="muted small hint">Empty fields leave the model’s defaults. A provider that has no such setting is not sent it.</p>
    </div>
  );
}
