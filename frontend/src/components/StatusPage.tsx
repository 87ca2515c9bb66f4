import type { Status } from '../api';
import { Icon } from '../icons';

/** Shown instead of the app when the user's data cannot be opened. */
export function StatusPage({ status }: { status: Status }) {
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
