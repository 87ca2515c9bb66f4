import { useState } from 'react';
import { api, type ClientToken, type NewClientToken } from '../api';
import { useToast } from '../toast';
import { ConfirmDialog } from './Dialog';

interface Props {
  tokens: ClientToken[];
  fresh: NewClientToken | null;
  onFresh: (t: NewClientToken | null) => void;
  onChange: () => void;
  copy: (text: string) => void;
}

function when(ms: number): string {
  return ms ? new Date(ms).toLocaleString() : 'never';
}

/** Named API tokens, one per client: made here, shown once, revocable. */
export function ClientTokens({ tokens, fresh, onFresh, onChange, copy }: Props) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [revoking, setRevoking] = useState<string | null>(null);
  const [rotating, setRotating] = useState<string | null>(null);

  const create = () => api.createClientToken(name.trim())
    .then((t) => { onFresh(t); setName(''); onChange(); })
    .catch(toast.error);

  return (
    <div className="client-tokens" data-testid="client-tokens">
      <h3>Tokens for single clients</h3>
      <p className="muted small">Give each editor or tool a token of its own, so you can see when it was last used and revoke it
        alone. Sidecar keeps only a hash of it: the value is shown once, right after you make it.</p>
      <form className="row" onSubmit={(e) => { e.preventDefault(); create(); }}>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="Name, e.g. Zed or nvim"
          aria-label="Token name" maxLength={64} data-testid="token-name" spellCheck={false} />
        <button type="submit" className="button primary" disabled={!name.trim()} data-testid="token-create">Create token</button>
      </form>

      {fresh && (
        <div className="fresh-token" role="status" data-testid="fresh-token">
          <p><strong>Token “{fresh.name}”</strong>: copy it now. Sidecar will not show it again.</p>
          <div className="token-row">
            <code className="token" data-testid="fresh-token-value">{fresh.token}</code>
            <button type="button" className="button small" onClick={() => copy(fresh.token)}>Copy</button>
          </div>
          <p className="muted small">For clients that cannot send a header, the token goes in the base URL:</p>
          <div className="token-row">
            <code className="token" data-testid="fresh-token-url">{fresh.pathUrl}</code>
            <button type="button" className="button small" onClick={() => copy(fresh.pathUrl)}>Copy URL</button>
          </div>
          <div className="row"><button type="button" className="button small" data-testid="fresh-token-done" onClick={() => onFresh(null)}>I have copied it</button></div>
        </div>
      )}

      {tokens.length > 0 && (
        <table className="doc-table token-table">
          <thead><tr><th>Name</th><th>Created</th><th>Last used</th><th aria-label="Actions" /></tr></thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.name} data-testid="client-token" data-name={t.name}>
                <td><strong>{t.name}</strong></td>
                <td>{when(t.created)}</td>
                <td data-testid="token-last-used">{when(t.lastUsed)}</td>
                <td className="actions">
                  <button type="button" className="button small" onClick={() => setRotating(t.name)}>New value</button>
                  <button type="button" className="button small danger" data-testid="token-revoke" onClick={() => setRevoking(t.name)}>Revoke</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {revoking && (
        <ConfirmDialog title={`Revoke “${revoking}”?`} confirmLabel="Revoke" danger confirmTestId="token-revoke-confirm"
          onCancel={() => setRevoking(null)}
          onConfirm={() => {
            const n = revoking;
            setRevoking(null);
            api.revokeClientToken(n).then(() => {
              if (fresh?.name === n) onFresh(null);
              toast.info(`Token “${n}” revoked.`);
              onChange();
            }).catch(toast.error);
          }}>
          <p>Whatever uses this token is refused from now on. Other tokens keep working.</p>
        </ConfirmDialog>
      )}
      {rotating && (
        <ConfirmDialog title={`New value for “${rotating}”?`} confirmLabel="Replace" danger
          onCancel={() => setRotating(null)}
          onConfirm={() => {
            const n = rotating;
            setRotating(null);
            api.rotateClientToken(n).then((t) => { onFresh(t); onChange(); }).catch(toast.error);
          }}>
          <p>The current value stops working at once; the new one is shown once.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
