import { useCallback, useEffect, useState } from 'react';
import { api, type APIStatus, type ClientToken, type NewClientToken } from '../api';
import { useToast } from '../toast';
import { ClipboardSetText } from '../wailsjs/runtime/runtime';
import { ClientTokens } from './ClientTokens';
import { ConnectHelp } from './ConnectHelp';
import { ConfirmDialog } from './Dialog';

/** Settings for the loopback API that editor plugins use. */
export function LocalAPISection() {
  const toast = useToast();
  const [st, setSt] = useState<APIStatus | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [port, setPort] = useState(8088);
  const [origins, setOrigins] = useState('');
  const [showToken, setShowToken] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [tokens, setTokens] = useState<ClientToken[]>([]);
  const [fresh, setFresh] = useState<NewClientToken | null>(null);
  const refreshTokens = useCallback(() => { api.clientTokens().then(setTokens).catch(toast.error); }, [toast]);

  const load = useCallback((s: APIStatus) => {
    setSt(s);
    setEnabled(s.settings.enabled);
    setPort(s.settings.port);
    setOrigins((s.settings.origins ?? []).join('\n'));
  }, []);
  useEffect(() => { api.localAPIStatus().then(load).catch(toast.error); }, [load, toast]);
  // Last uses change while the page is open: read them again now and then.
  useEffect(() => {
    refreshTokens();
    const timer = window.setInterval(refreshTokens, 10000);
    return () => window.clearInterval(timer);
  }, [refreshTokens]);

  if (!st) return null;
  const save = () => api.saveLocalAPI({ enabled, port, origins: origins.split('\n').map((o) => o.trim()).filter(Boolean) })
    .then((s) => { load(s); toast.info(s.running ? `Local API running on ${s.url}` : s.error ? 'Saved, but the API did not start.' : 'Local API is off.'); })
    .catch(toast.error);
  const copy = (text: string) => ClipboardSetText(text).then(() => toast.info('Copied.')).catch(toast.error);

  return (
    <>
    <section className="card" data-testid="local-api">
      <h2>Local API for editor plugins</h2>
      <p className="muted">An OpenAI-compatible API on 127.0.0.1 only, for Continue, CodeCompanion.nvim, Cline, Zed and other tools.
        Every request needs the token; web pages are refused unless you allow their origin below.</p>
      <form className="settings-grid" onSubmit={(e) => { e.preventDefault(); save(); }}>
        <label className="check"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} data-testid="api-enabled" /> Run the local API</label>
        <label>Port<input type="number" min={1024} max={65535} value={port} onChange={(e) => setPort(Number(e.target.value))} data-testid="api-port" /></label>
        <div />
        <label className="span2">Allowed browser origins <span className="muted small">(one per line, exact, e.g. http://localhost:3000; leave empty to refuse all web pages)</span>
          <textarea rows={2} value={origins} onChange={(e) => setOrigins(e.target.value)} spellCheck={false} />
        </label>
        <div className="span2 row"><button type="submit" className="button primary" data-testid="api-save">Save</button></div>
      </form>
      <div className="api-status" role="status">
        {st.running && <p className="ok-text" data-testid="api-running">Running on <code>{st.url}</code></p>}
        {!st.running && !st.error && <p className="muted">Not running.</p>}
        {st.error && <p className="error-text">{st.error}</p>}
      </div>
      {st.token && (
        <div className="token-row">
          <span className="muted">Default token</span>
          <code className="token" data-testid="api-token">{showToken ? st.token : `${'•'.repeat(16)}${st.token.slice(-4)}`}</code>
          <button type="button" className="button small" onClick={() => setShowToken(!showToken)}>{showToken ? 'Hide' : 'Show'}</button>
          <button type="button" className="button small" onClick={() => copy(st.token)}>Copy</button>
          <button type="button" className="button small danger" data-testid="api-rotate" onClick={() => setRotating(true)}>Rotate</button>
        </div>
      )}
      <p className="muted small">The URL and default token are also in <code>localapi.json</code> in your data folder, readable only by you.</p>
      <ClientTokens tokens={tokens} fresh={fresh} onFresh={setFresh} onChange={refreshTokens} copy={copy} />
      {st.authFailures > 0 && (
        <details className="howto">
          <summary className="error-text">{st.authFailures} refused request{st.authFailures === 1 ? '' : 's'} (wrong or missing token)</summary>
          <ul className="small">
            {st.recent.slice().reverse().map((f, i) => (
              <li key={i}>{new Date(f.time).toLocaleString()} · {f.remote} · {f.path} · {f.reason}</li>
            ))}
          </ul>
        </details>
      )}
      {rotating && (
        <ConfirmDialog title="Rotate the token?" confirmLabel="Rotate" danger onCancel={() => setRotating(false)}
          onConfirm={() => { setRotating(false); api.rotateLocalAPIToken().then((s) => { load(s); toast.info('New token in force; the old one no longer works.'); }).catch(toast.error); }}>
          <p>Plugins using the current token stop working at once until you give them the new one.</p>
        </ConfirmDialog>
      )}
    </section>
    <ConnectHelp apiUrl={st.running ? st.url : `port ${st.settings.port}`} tokens={tokens} fresh={fresh} copy={copy} />
    </>
  );
}
