import { useState } from 'react';
import { api, errorText, type Preset } from '../api';
import { emptyForm, fromForm, samplingSummary, toForm, type SettingsForm } from '../chatsettings';
import { Icon } from '../icons';
import { useToast } from '../toast';
import { Modal } from './Modal';
import { SettingsFields } from './SettingsFields';

interface Props {
  presets: Preset[];
  onChanged: () => Promise<void>;
  onClose: () => void;
}

type Editing = { id: number | null; name: string; form: SettingsForm };

/** Presets of chat settings: create, edit, delete. */
export function PresetsDialog({ presets, onChanged, onClose }: Props) {
  const toast = useToast();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<number | null>(null);
  const [error, setError] = useState('');

  const edit = (p: Preset | null) => {
    setError('');
    setConfirmDelete(null);
    setEditing(p ? { id: p.id, name: p.name, form: toForm(p.settings) } : { id: null, name: '', form: emptyForm });
  };

  const save = async () => {
    if (!editing) return;
    const parsed = fromForm(editing.form);
    if ('error' in parsed) { setError(parsed.error); return; }
    if (!editing.name.trim()) { setError('Give the preset a name'); return; }
    try {
      if (editing.id === null) await api.createPreset(editing.name, parsed.settings);
      else await api.updatePreset(editing.id, editing.name, parsed.settings);
      await onChanged();
      toast.info(`Preset “${editing.name.trim()}” saved`);
      setEditing(null);
    } catch (e) {
      setError(errorText(e).replace(/^store: (create |update )?preset( "[^"]*")?: /, ''));
    }
  };

  const remove = async (p: Preset) => {
    try {
      await api.deletePreset(p.id);
      await onChanged();
      if (editing?.id === p.id) setEditing(null);
      setConfirmDelete(null);
    } catch (e) {
      toast.error(e);
    }
  };

  return (
    <Modal title="Presets" wide testId="presets-dialog" onClose={onClose}
      footer={editing ? <>
        <button type="button" className="button" onClick={() => setEditing(null)}>Back to the list</button>
        <button type="button" className="button primary" data-testid="preset-save" onClick={save}>Save preset</button>
      </> : <>
        <button type="button" className="button push-left" data-testid="preset-new" onClick={() => edit(null)}><Icon name="plus" size={15} /> New preset</button>
        <button type="button" className="button" onClick={onClose}>Done</button>
      </>}>
      {editing ? (
        <div className="preset-editor">
          <label className="field">
            <span>Name</span>
            <input type="text" data-testid="preset-name" maxLength={100} value={editing.name} placeholder="e.g. Code reviewer"
              onChange={(e) => { setEditing({ ...editing, name: e.target.value }); setError(''); }} />
          </label>
          <SettingsFields form={editing.form} onChange={(form) => { setEditing({ ...editing, form }); setError(''); }} idPrefix="preset" />
          {error && <p className="error-text small" role="alert">{error}</p>}
        </div>
      ) : (
        <>
          <p className="muted small">A preset is a system prompt with sampling settings. Pick one when you start a chat, or for any chat from its settings. A chat keeps a copy: editing a preset later does not change chats that took it.</p>
          {presets.length === 0 && <p className="muted">No presets yet.</p>}
          <ul className="preset-list">
            {presets.map((p) => (
              <li key={p.id} className="preset-item" data-testid="preset-item">
                <div className="preset-main">
                  <span className="preset-name">{p.name}</span>
                  <span className="preset-prompt muted small">{p.settings.systemPrompt || 'No system prompt'}</span>
                  {samplingSummary(p.settings) && <span className="muted small">{samplingSummary(p.settings)}</span>}
                </div>
                {confirmDelete === p.id ? (
                  <span className="row">
                    <span className="small">Delete?</span>
                    <button type="button" className="button small danger" data-testid="preset-delete-confirm" onClick={() => remove(p)}>Delete</button>
                    <button type="button" className="button small" onClick={() => setConfirmDelete(null)}>Keep</button>
                  </span>
                ) : (
                  <span className="row">
                    <button type="button" className="icon-button" data-testid="preset-edit" aria-label={`Edit ${p.name}`} title="Edit" onClick={() => edit(p)}><Icon name="pencil" size={15} /></button>
                    <button type="button" className="icon-button danger" data-testid="preset-delete" aria-label={`Delete ${p.name}`} title="Delete" onClick={() => setConfirmDelete(p.id)}><Icon name="trash" size={15} /></button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
