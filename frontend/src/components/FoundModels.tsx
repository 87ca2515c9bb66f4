import { useCallback, useEffect, useState } from 'react';
import { api, type HFModel } from '../api';
import { bytes } from '../format';
import { useToast } from '../toast';

/**
 * Models already on this computer, in the Hugging Face cache (GGUF files
 * and GPT-J checkpoints), offered for import where they are.
 */
export function FoundModels({ onImported }: { onImported: () => void }) {
  const toast = useToast();
  const [found, setFound] = useState<HFModel[] | null>(null);
  const [busy, setBusy] = useState('');
  const scan = useCallback(() => { api.huggingFaceModels().then(setFound).catch(toast.error); }, [toast]);
  useEffect(() => { scan(); }, [scan]);
  if (!found || found.length === 0) return null;
  const add = (m: HFModel) => {
    setBusy(m.path);
    api.importHuggingFaceModel(m.path)
      .then((v) => { toast.info(`Added ${v.name}.`); onImported(); scan(); })
      .catch(toast.error)
      .finally(() => setBusy(''));
  };
  return (
    <section className="card" data-testid="found-models">
      <h2>Found on this computer</h2>
      <p className="muted">In the Hugging Face cache. Adding one uses the file where it is: nothing is copied.</p>
      <table className="doc-table">
        <thead><tr><th>Model</th><th>Kind</th><th>Size</th><th aria-label="Add" /></tr></thead>
        <tbody>
          {found.map((m) => (
            <tr key={m.path} data-testid="found-model" title={m.path}>
              <td><strong>{m.name}</strong></td>
              <td>{m.kind === 'gguf' ? 'GGUF' : `GPT-J (${m.format})`}</td>
              <td>{bytes(m.sizeBytes)}</td>
              <td className="actions">
                {m.importedId
                  ? <span className="tag ok">added</span>
                  : <button type="button" className="button small" disabled={busy !== ''} onClick={() => add(m)}>{busy === m.path ? 'Adding…' : 'Add'}</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
