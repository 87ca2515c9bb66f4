import { useCallback, useEffect, useState } from 'react';
import { api, events, type Catalogue, type CatalogueEntry, type DownloadEvent, type PendingDownload } from '../api';
import { bytes, duration } from '../format';
import { useToast } from '../toast';

/**
 * The catalogue of recommended local models: the list shipped with
 * Sidecar or one fetched from a URL the user sets, each entry marked by
 * whether it fits this computer's memory, downloaded with one click.
 */
export function ModelCatalogue() {
  const toast = useToast();
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [downloads, setDownloads] = useState<Record<string, DownloadEvent>>({});
  const [pending, setPending] = useState<PendingDownload[]>([]);
  const [onlyFitting, setOnlyFitting] = useState(false);
  const [showSource, setShowSource] = useState(false);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const load = useCallback(() => {
    api.modelCatalogue().then((c) => { setCat(c); setUrl((u) => u || c.url); }).catch(toast.error);
    api.pendingDownloads().then(setPending).catch(() => {});
  }, [toast]);

  useEffect(() => {
    load();
    const offs = [
      events.onModelsChanged(load),
      events.onDownload((e) => {
        setDownloads((d) => ({ ...d, [e.id]: e }));
        if (e.state !== 'running') load();
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [load]);

  const refresh = (u: string) => {
    setBusy(true);
    setError('');
    api.refreshModelCatalogue(u)
      .then((c) => { setCat(c); setUrl(c.url); toast.info(u ? `Loaded ${c.entries.length} models from the list.` : 'Using the list built into Sidecar.'); })
      .catch((e: unknown) => setError(String(e)))
      .finally(() => setBusy(false));
  };

  if (!cat) return null;
  const shown = cat.entries.filter((e) => !onlyFitting || e.fit.fits);
  const hidden = cat.entries.length - shown.length;
  return (
    <section className="card catalogue" data-testid="catalogue" aria-labelledby="catalogue-title">
      <div className="catalogue-head">
        <div>
          <h2 id="catalogue-title">Recommended models</h2>
          <p className="muted small">
            {cat.totalMemory > 0
              ? <>This computer has <strong data-testid="total-memory">{bytes(cat.totalMemory)}</strong> of memory. </>
              : 'Sidecar could not read how much memory this computer has. '}
            Sizes marked ≈ are approximate. A SHA-256 is listed only where it is known for certain; without one,
            Sidecar reads the downloaded file (GGUF header, architecture, complete tensors) before offering it.
          </p>
        </div>
        <div className="catalogue-tools">
          <label className="check small"><input type="checkbox" checked={onlyFitting} onChange={(e) => setOnlyFitting(e.target.checked)} data-testid="catalogue-fit-only" /> Only models that fit</label>
          <button type="button" className="button small" aria-expanded={showSource} onClick={() => setShowSource(!showSource)} data-testid="catalogue-source-toggle">List source…</button>
        </div>
      </div>

      {showSource && (
        <form className="catalogue-source" data-testid="catalogue-source" onSubmit={(e) => { e.preventDefault(); refresh(url.trim()); }}>
          <p className="muted small" data-testid="catalogue-origin">
            {cat.source === 'url'
              ? <>From <code>{cat.url}</code>, fetched {new Date(cat.fetchedAt).toLocaleString()}.</>
              : 'The list built into this version of Sidecar.'}
          </p>
          <div className="catalogue-source-row">
            <input type="url" placeholder="https://…/models.json" value={url} onChange={(e) => setUrl(e.target.value)}
              aria-label="Catalogue URL" data-testid="catalogue-url" />
            <button type="submit" className="button primary small" disabled={busy || !url.trim()} data-testid="catalogue-refresh">{busy ? 'Fetching…' : 'Refresh from URL'}</button>
            {cat.source === 'url' && <button type="button" className="button small" disabled={busy} onClick={() => refresh('')}>Use the built-in list</button>}
          </div>
          <p className="muted small">Only https lists (or http on this computer) are read, at most 1 MB, and every entry is checked; a list that fails keeps the current one.</p>
          {error && <p className="error-text small" role="alert" data-testid="catalogue-error">{error}</p>}
        </form>
      )}

      <div className="catalogue-grid">
        {shown.map((e) => (
          <CatalogueCard key={e.entry.id} e={e} d={downloads[e.fileName]} pending={pending.find((p) => p.id === e.fileName)} />
        ))}
      </div>
      {hidden > 0 && <p className="muted small">{hidden} larger {hidden === 1 ? 'model is' : 'models are'} hidden.</p>}
    </section>
  );
}

function contextLabel(n: number): string {
  if (n <= 0) return '?';
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024}K` : n.toLocaleString('en-US');
}

function CatalogueCard({ e, d, pending }: { e: CatalogueEntry; d?: DownloadEvent; pending?: PendingDownload }) {
  const toast = useToast();
  const m = e.entry;
  const running = d?.state === 'running';
  const p = d?.progress;
  const pct = p && p.total > 0 ? Math.min(100, (p.done / p.total) * 100) : null;
  const start = () => api.downloadCatalogueModel(m.id).catch(toast.error);
  const approx = m.sizeApprox ? '≈ ' : '';
  return (
    <article className={`catalogue-item${e.fit.fits ? '' : ' too-big'}`} data-testid="catalogue-entry" data-id={m.id}>
      <header>
        <div className="catalogue-name">
          <strong>{m.name}</strong>
          <span className="muted small">{m.family} · {m.parameters} · {m.quantization}</span>
        </div>
        {e.installedId
          ? <span className="tag ok" data-testid="catalogue-ready">ready</span>
          : e.fit.fits
            ? <span className={`tag ${e.fit.known ? 'ok' : ''}`} data-testid="catalogue-fit">{e.fit.known ? 'fits' : 'memory unknown'}</span>
            : <span className="tag warn" data-testid="catalogue-fit">too large</span>}
      </header>
      {m.description && <p className="catalogue-desc">{m.description}</p>}
      <dl className="catalogue-facts">
        <div><dt>Download</dt><dd title={m.sizeApprox ? 'Approximate size' : 'Exact size'} data-testid="catalogue-size">{approx}{bytes(m.sizeBytes)}</dd></div>
        <div><dt>Memory</dt><dd title="Estimate: weights plus a working context">≈ {bytes(m.memoryBytes)}</dd></div>
        <div><dt>Context</dt><dd>{contextLabel(m.contextLength)}</dd></div>
        <div><dt>Licence</dt><dd>{m.licence}</dd></div>
      </dl>
      <p className={`catalogue-why small ${e.fit.fits ? 'muted' : 'warn-text'}`} data-testid="catalogue-why">{e.fit.reason}</p>
      <div className="catalogue-check muted small" title={m.url}>
        {m.sha256 ? <>SHA-256 <code>{m.sha256.slice(0, 12)}…</code> checked</> : 'No checksum listed: the file is checked by reading it'}
      </div>
      {running ? (
        <div className="catalogue-progress" data-testid="catalogue-progress">
          <progress max={100} value={pct ?? undefined} aria-label={`Download of ${m.name}`} />
          <div className="muted small">
            {p ? `${bytes(p.done)}${p.total > 0 ? ` of ${bytes(p.total)}` : ''}` : 'starting…'}
            {p && p.bytesPerSecond > 0 && ` · ${bytes(p.bytesPerSecond)}/s`}
            {p && p.remaining > 0 && ` · ${duration(p.remaining)} left`}
            {p?.verifying && ' · checking SHA-256…'}
          </div>
          <div className="row">
            <button type="button" className="button small" onClick={() => api.pauseDownload(e.fileName).catch(toast.error)}>Pause</button>
            <button type="button" className="button small danger" onClick={() => api.cancelDownload(e.fileName).catch(toast.error)}>Cancel</button>
          </div>
        </div>
      ) : e.installedId ? (
        <div className="row muted small">Downloaded: it is under Your local models.</div>
      ) : pending ? (
        <div className="row">
          <button type="button" className="button small primary" onClick={start}>Resume ({bytes(pending.bytes)} here)</button>
          <button type="button" className="button small danger" onClick={() => api.cancelDownload(pending.id).catch(toast.error)}>Discard</button>
        </div>
      ) : (
        <div className="row">
          <button type="button" className={`button small${e.fit.fits ? ' primary' : ''}`} onClick={start} data-testid="catalogue-download" aria-label={`Download ${m.name}`}>
            {e.fit.fits ? 'Download' : 'Download anyway'}
          </button>
          {d?.state === 'failed' && <span className="error-text small" data-testid="catalogue-failed">{d.error}</span>}
        </div>
      )}
    </article>
  );
}
