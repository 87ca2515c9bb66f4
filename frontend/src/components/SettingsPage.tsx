import { useCallback, useEffect, useState } from 'react';
import { api, type ProviderInfo, type Status, type Theme } from '../api';
import { useToast } from '../toast';
import { DataSection } from './DataSection';
import { LocalAPISection } from './LocalAPISection';

interface Props {
  status: Status;
  theme: Theme;
  onTheme: (t: Theme) => void;
}

export function SettingsPage({ status, theme, onTheme }: Props) {
  const toast = useToast();
  const [providers, setProviders] = useState<ProviderInfo[]>([]);
  const refresh = useCallback(() => api.providers().then(setProviders).catch(toast.error), [toast]);
  useEffect(() => { refresh(); }, [refresh]);

  return (
    <main className="page" aria-label="Settings">
      <h1>Settings</h1>

      <section className="card">
        <h2>Cloud providers</h2>
        <p className="muted">Keys are checked with the provider, then kept only in your OS keychain. Sidecar shows their last four characters, never the key.</p>
        {providers.length === 0 && <p className="muted">No cloud provider is available in this build.</p>}
        {providers.map((p) => <ProviderRow key={p.id} p={p} onChange={refresh} />)}
      </section>

      <LocalAPISection />

      <section className="card">
        <h2>Appearance</h2>
        <div className="segmented" role="radiogroup" aria-label="Theme">
          {(['system', 'light', 'dark'] as Theme[]).map((t) => (
            <button type="button" key={t} role="radio" aria-checked={theme === t} className={theme === t ? 'on' : ''} onClick={() => onTheme(t)}>
              {t === 'system' ? 'Match system' : t === 'light' ? 'Light' : 'Dark'}
            </button>
          ))}
        </div>
      </section>

      <DataSection status={status} />
    </main>
  );
}

function ProviderRow({ p, onChange }: { p: ProviderInfo; onChange: () => Promise<void> }) {
  const toast = useToast();
  const [key, setKey] = useState('');
  const [base, setBase] = useState(p.baseUrl);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => setBase(p.baseUrl), [p.baseUrl]);
  const save = async () => {
    setBusy(true);
    setResult(null);
    try {
      await api.setProviderKey(p.id, key, base);
      setKey('');
      await onChange(); // the row shows the new key's hint together with the message
      setResult({ ok: true, text: 'Key works. Its models are in the model picker.' });
    } catch (e) {
      setResult({ ok: false, text: String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="provider" data-testid={`provider-${p.id}`} onSubmit={(e) => { e.preventDefault(); save(); }}>
      <div className="provider-head">
        <strong>{p.name}</strong>
        {p.hasKey ? <span className="tag ok">key {p.keyHint}</span> : <span className="tag">no key</span>}
        {p.error && <span className="error-text small">{p.error}</span>}
      </div>
      <div className="row wrap">
        <input type="password" autoComplete="off" spellCheck={false} placeholder={p.hasKey ? 'Replace the key' : 'API key'}
          aria-label={`${p.name} API key`} value={key} onChange={(e) => setKey(e.target.value)} />
        <input type="url" placeholder="Base URL (optional, for gateways)" aria-label={`${p.name} base URL`} value={base} onChange={(e) => setBase(e.target.value)} />
        <button type="submit" className="button primary" disabled={busy || !key.trim()}>{busy ? 'Checking…' : 'Check and save'}</button>
        {p.hasKey && (
          <button type="button" className="button danger" onClick={() => api.removeProviderKey(p.id).then(() => { setResult(null); onChange(); }).catch(toast.error)}>Remove key</button>
        )}
      </div>
      {result && <p className={result.ok ? 'ok-text' : 'error-text'} role="status">{result.text}</p>}
    </form>
  );
}
