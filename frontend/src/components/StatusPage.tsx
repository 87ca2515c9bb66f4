import { useState } from 'react';
import { api, type Status } from '../api';
import { Icon } from '../icons';

/** Shown instead of the app when the user's data cannot be opened, or is
 * waiting for its passphrase. */
export function StatusPage({ status, onOpened }: { status: Status; onOpened: () => void }) {
  if (status.needsPassphrase) return <UnlockPage status={status} onOpened={onOpened} />;
  const parts = status.help.split(/(`[^`]+`)/g);
  return (
    <main className="status-page" data-testid="status-error">
      <div className="status-card">
        <div className="status-icon"><Icon name="lock" size={34} /></div>
        <h1>Sidecar cannot open your data</h1>
        <p className="status-error">{status.error}</p>
        {status.help && (
          <p className="status-help">
            {parts.map((p, i) => (p.startsWith('`') ? <code key={i}>{p.slice(1, -1)}</code> : <span key={i}>{p}</span>))}
          </p>
        )}
        {status.canUsePassphrase && <NewPassphrase onOpened={onOpened} />}
        <dl className="status-paths">
          <dt>Data folder</dt><dd><code>{status.dataDir}</code></dd>
          <dt>Log file</dt><dd><code>{status.logFile}</code></dd>
        </dl>
        <p className="muted">Nothing was changed. Fix the problem above, then close and start Sidecar again.</p>
        <p className="muted small">Sidecar {status.version}</p>
      </div>
    </main>
  );
}

function UnlockPage({ status, onOpened }: { status: Status; onOpened: () => void }) {
  const [pass, setPass] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <main className="status-page" data-testid="unlock">
      <form className="status-card" onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true); setError('');
        try { await api.unlock(pass); onOpened(); } catch (err) { setError(String(err).replace(/^(Error: )?profile: /, '')); setPass(''); } finally { setBusy(false); }
      }}>
        <div className="status-icon"><Icon name="lock" size={34} /></div>
        <h1>Unlock your data</h1>
        <p>Your chats and documents are encrypted with a key made from your passphrase.</p>
        <label className="field">Passphrase
          <input type="password" value={pass} onChange={(e) => setPass(e.target.value)} autoFocus autoComplete="current-password" data-testid="unlock-passphrase" />
        </label>
        {error && <p className="status-error" role="alert">{error}</p>}
        <button type="submit" className="button primary" disabled={busy || pass === ''} data-testid="unlock-submit">{busy ? 'Unlocking…' : 'Unlock'}</button>
        <p className="muted small">Forgot it? Without the passphrase the data cannot be read. To start afresh, move <code>{status.dataDir}</code> elsewhere.</p>
      </form>
    </main>
  );
}

function NewPassphrase({ onOpened }: { onOpened: () => void }) {
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const mismatch = again !== '' && again !== pass;
  return (
    <form className="passphrase-form" data-testid="new-passphrase" onSubmit={async (e) => {
      e.preventDefault();
      setBusy(true); setError('');
      try { await api.unlock(pass); onOpened(); } catch (err) { setError(String(err).replace(/^(Error: )?profile: /, '')); } finally { setBusy(false); }
    }}>
      <h2>Use a passphrase instead</h2>
      <p className="muted small">Sidecar will derive the database key from it (Argon2id) and ask for it at every start. At least 8 characters; it cannot be recovered.</p>
      <label className="field">Passphrase<input type="password" value={pass} onChange={(e) => setPass(e.target.value)} autoComplete="new-password" data-testid="new-passphrase-1" /></label>
      <label className="field">Type it again<input type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" data-testid="new-passphrase-2" /></label>
      {mismatch && <p className="error-text small">The two passphrases differ.</p>}
      {error && <p className="status-error" role="alert">{error}</p>}
      <button type="submit" className="button primary" disabled={busy || pass.length < 8 || pass !== again} data-testid="new-passphrase-submit">Start with this passphrase</button>
    </form>
  );
}
