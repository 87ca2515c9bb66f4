import { useCallback, useEffect, useState } from 'react';
import { api, events, type DownloadEvent, type LoadEvent, type LocalModel, type LocalSettings, type PendingDownload } from '../api';
import { bytes, duration, params } from '../format';
import { FoundModels } from './FoundModels';
import { ModelCatalogue } from './ModelCatalogue';
import { useToast } from '../toast';
import { ConfirmDialog } from './Dialog';

export function ModelsPage() {
  const toast = useToast();
  const [models, setModels] = useState<LocalModel[]>([]);
  const [pending, setPending] = useState<PendingDownload[]>([]);
  const [downloads, setDownloads] = useState<Record<string, DownloadEvent>>({});
  const [loading, setLoading] = useState<Record<string, LoadEvent>>({});
  const [url, setUrl] = useState('');
  const [sha, setSha] = useState('');
  const [removing, setRemoving] = useState<LocalModel | null>(null);

  const refresh = useCallback(() => {
    api.localModels().then(setModels).catch(toast.error);
    api.pendingDownloads().then(setPending).catch(toast.error);
  }, [toast]);

  useEffect(() => {
    refresh();
    const offs = [
      events.onModelsChanged(refresh),
      events.onDownload((e) => {
        setDownloads((d) => ({ ...d, [e.id]: e }));
        if (e.state === 'failed') toast.error(`Download of ${e.id} failed: ${e.error}`);
        if (e.state === 'done') toast.info(`${e.id} is ready to use.`);
        if (e.state !== 'running') api.pendingDownloads().then(setPending).catch(() => {});
      }),
      events.onModelLoad((e) => setLoading((l) => ({ ...l, [e.id]: e }))),
    ];
    return () => offs.forEach((off) => off());
  }, [refresh, toast]);

  const start = (u: string, s: string) =>
    api.downloadModel(u, s).then(() => { setUrl(''); setSha(''); }).catch(toast.error);

  const running = Object.values(downloads).filter((d) => d.state === 'running');

  return (
    <main className="page" aria-label="Models">
      <h1>Models</h1>
      <p className="muted">Local models run inside Sidecar: GGUF files (Llama, Mistral, Qwen, Gemma, Phi) and GPT-J.
        Your messages never leave this machine. Cloud models are set up under Settings.</p>

      <section className="card">
        <h2>Add a local model</h2>
        <div className="row">
          <button type="button" className="button" data-testid="import-file" onClick={() => api.importModelFile().then((m) => m.id && toast.info(`Added ${m.name}.`)).catch(toast.error)}>Import a model file (.gguf, .bin)…</button>
          <button type="button" className="button" onClick={() => api.importModelFolder().then((m) => m.id && toast.info(`Added ${m.name}.`)).catch(toast.error)}>Import a Hugging Face folder…</button>
        </div>
        <form className="download-form" onSubmit={(e) => { e.preventDefault(); start(url.trim(), sha.trim()); }}>
          <label>Download from a URL
            <input type="url" required placeholder="https://…/model-Q4_K_M.gguf" value={url} onChange={(e) => setUrl(e.target.value)} data-testid="download-url" />
          </label>
          <label>SHA-256 (optional)
            <input type="text" pattern="[0-9a-fA-F]{64}" placeholder="64 hex digits" value={sha} onChange={(e) => setSha(e.target.value)} />
          </label>
          <button type="submit" className="button primary" disabled={!url.trim()}>Download</button>
        </form>
        {running.map((d) => <DownloadRow key={d.id} d={d} />)}
        {pending.map((p) => (
          <div className="download" key={p.id}>
            <div className="download-head"><strong>{p.id}</strong> <span className="muted">paused at {bytes(p.bytes)}</span></div>
            <div className="row">
              <button type="button" className="button small" onClick={() => start(p.url, p.sha256)}>Resume</button>
              <button type="button" className="button small danger" onClick={() => api.cancelDownload(p.id).then(refresh).catch(toast.error)}>Discard</button>
            </div>
          </div>
        ))}
      </section>

      <ModelCatalogue />

      <FoundModels onImported={refresh} />

      <section className="card">
        <h2>Your local models</h2>
        {models.length === 0 && <p className="muted" data-testid="no-models">No local model yet. Import a GGUF file, a GPT-J file (GPT4All-J era .bin, F16/Q8_0/Q4_0) or a Hugging Face GPT-J folder, or download one.</p>}
        {models.map((m) => (
          <ModelCard key={m.id} model={m} load={loading[m.id]} onRemove={() => setRemoving(m)} onSaved={refresh} />
        ))}
      </section>
      {removing && (
        <ConfirmDialog title={`Remove ${removing.name}?`} confirmLabel="Remove" danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => { const m = removing; setRemoving(null); api.removeLocalModel(m.id).then(refresh).catch(toast.error); }}>
          {removing.managed
            ? <p>The downloaded file <code>{removing.path}</code> will be deleted.</p>
            : <p>Sidecar forgets it; your file <code>{removing.path}</code> stays where it is.</p>}
        </ConfirmDialog>
      )}
    </main>
  );
}

function DownloadRow({ d }: { d: DownloadEvent }) {
  const toast = useToast();
  const p = d.progress;
  const pct = p && p.total > 0 ? Math.min(100, (p.done / p.total) * 100) : null;
  return (
    <div className="download" data-testid="download">
      <div className="download-head">
        <strong>{d.id}</strong>
        <span className="muted">
          {p && (p.done > 0 || p.total > 0) ? `${bytes(p.done)}${p.total > 0 ? ` of ${bytes(p.total)}` : ''}` : 'starting…'}
          {p && p.bytesPerSecond > 0 && ` · ${bytes(p.bytesPerSecond)}/s`}
          {p && p.remaining > 0 && ` · ${duration(p.remaining)} left`}
          {p?.verifying && ' · checking SHA-256…'}
        </span>
      </div>
      <progress max={100} value={pct ?? undefined} aria-label={`Download of ${d.id}`} />
      <div className="row">
        <button type="button" className="button small" onClick={() => api.pauseDownload(d.id).catch(toast.error)}>Pause</button>
        <button type="button" className="button small danger" onClick={() => api.cancelDownload(d.id).catch(toast.error)}>Cancel</button>
      </div>
    </div>
  );
}

const capabilityNames: [keyof LocalModel['info']['capabilities'], string][] = [
  ['toolCalls', 'tools'], ['fillInMiddle', 'fill in the middle'], ['thinking', 'thinking'], ['vision', 'vision'], ['embeddings', 'embeddings'],
];

function ModelCard({ model, load, onRemove, onSaved }: { model: LocalModel; load?: LoadEvent; onRemove: () => void; onSaved: () => void }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(model.name);
  const [s, setS] = useState<LocalSettings>(model.settings);
  useEffect(() => { setName(model.name); setS(model.settings); }, [model]);
  const num = (k: keyof LocalSettings, v: string) => setS({ ...s, [k]: Number(v) } as LocalSettings);
  const loadingNow = load && !load.done;
  const info = model.info;
  const gguf = model.engine === 'gguf';
  const converts = (model.weightTypes ?? []).length > 0;
  const caps = capabilityNames.filter(([k]) => info.capabilities[k]);
  return (
    <div className="model-card" data-testid="local-model" data-id={model.id}>
      <div className="model-head">
        <div className="model-title">
          <strong>{model.name}</strong>
          {model.loaded && <span className="tag ok">loaded</span>}
        </div>
        <div className="row">
          <button type="button" className="button small" onClick={() => setOpen(!open)} aria-expanded={open}>Settings</button>
          <button type="button" className="button small danger" onClick={onRemove}>Remove</button>
        </div>
      </div>
      <dl className="model-facts">
        <div><dt>Architecture</dt><dd data-testid="model-arch">{info.architecture || '?'}</dd></div>
        <div><dt>Parameters</dt><dd data-testid="model-params">{params(info.params)}</dd></div>
        <div><dt>Weights</dt><dd data-testid="model-quant">{info.weightType.toUpperCase()}</dd></div>
        <div><dt>Context</dt><dd data-testid="model-context">{info.contextMax > 0 ? info.contextMax.toLocaleString('en-US') : '?'} tokens</dd></div>
        <div><dt>Size</dt><dd>{bytes(info.sizeBytes)}</dd></div>
        <div><dt>Format</dt><dd>{info.format}</dd></div>
      </dl>
      <div className="model-caps" data-testid="model-caps">
        {gguf && (info.ownTemplate
          ? <span className="tag ok" data-testid="cap-template">its own chat template</span>
          : <span className="tag warn" data-testid="cap-template" title="The file has no chat template Sidecar can run: chats use a generic one.">generic chat template</span>)}
        {caps.map(([k, label]) => <span key={k} className="tag ok" data-testid={`cap-${k}`}>{label}</span>)}
        {gguf && caps.length === 0 && <span className="tag">no tools, no fill in the middle</span>}
      </div>
      {loadingNow && <progress max={1} value={load.fraction} aria-label={`Loading ${model.name}`} />}
      {load?.error && <p className="error-text">Loading failed: {load.error}</p>}
      {open && (
        <form className="settings-grid" data-testid="model-settings" onSubmit={(e) => {
          e.preventDefault();
          api.updateLocalModel(model.id, name, s).then(() => { toast.info('Saved.'); onSaved(); }).catch(toast.error);
        }}>
          <label>Name<input type="text" value={name} onChange={(e) => setName(e.target.value)} /></label>
          {converts ? (
            <label>Weights in memory
              <select value={s.weightType} onChange={(e) => setS({ ...s, weightType: e.target.value } as LocalSettings)} data-testid="model-wtype">
                {model.weightTypes.map((w) => <option key={w} value={w}>{weightLabels[w] ?? w.toUpperCase()}</option>)}
              </select>
            </label>
          ) : (
            <div className="setting-note"><span>Weights in memory</span><span data-testid="model-wtype-note">{info.weightType.toUpperCase()}, as stored in the file</span></div>
          )}
          <label>Threads<input type="number" min={1} max={256} value={s.threads} onChange={(e) => num('threads', e.target.value)} /></label>
          <label>Context size<input type="number" min={64} max={Math.min(32768, info.contextMax || 32768)} value={s.contextSize} onChange={(e) => num('contextSize', e.target.value)} /></label>
          <label>Temperature<input type="number" step="0.05" min={0} max={5} value={s.temperature} onChange={(e) => num('temperature', e.target.value)} /></label>
          <label>Top-p<input type="number" step="0.01" min={0.01} max={1} value={s.topP} onChange={(e) => num('topP', e.target.value)} /></label>
          <label>Top-k<input type="number" min={0} value={s.topK} onChange={(e) => num('topK', e.target.value)} /></label>
          <label>Repetition penalty<input type="number" step="0.01" min={1} max={5} value={s.repeatPenalty} onChange={(e) => num('repeatPenalty', e.target.value)} /></label>
          <label>Max tokens<input type="number" min={1} value={s.maxTokens} onChange={(e) => num('maxTokens', e.target.value)} /></label>
          <label className="span2">System prompt<textarea rows={2} value={s.systemPrompt} onChange={(e) => setS({ ...s, systemPrompt: e.target.value } as LocalSettings)} /></label>
          {gguf ? (
            <label className="span2">Chat template <span className="muted small">(Jinja, as in the file&apos;s tokenizer.chat_template; empty to use {info.ownTemplate ? 'the file’s own' : 'the generic one'})</span>
              <textarea rows={3} value={s.promptTemplate} spellCheck={false} placeholder={info.ownTemplate ? 'The file’s own template is used.' : ''} data-testid="model-template"
                onChange={(e) => setS({ ...s, promptTemplate: e.target.value } as LocalSettings)} /></label>
          ) : (
            <label className="span2">Prompt template <span className="muted small">({'{system}'}, {'{history}'}, {'{prompt}'}; empty for the model&apos;s default)</span>
              <textarea rows={3} value={s.promptTemplate} placeholder={'### Prompt:\n{prompt}\n### Response:\n'} onChange={(e) => setS({ ...s, promptTemplate: e.target.value } as LocalSettings)} /></label>
          )}
          <div className="span2 row"><button type="submit" className="button primary">Save settings</button></div>
        </form>
      )}
    </div>
  );
}

const weightLabels: Record<string, string> = {
  f32: 'F32 (largest, exact)',
  f16: 'F16 (half of F32, near exact)',
  q8_0: 'Q8_0 (half the memory of F16)',
  q4_0: 'Q4_0 (smallest, fastest)',
};
