import { useCallback, useEffect, useState } from 'react';
import { api, events, type Doc, type DocHit, type EmbeddingProgressData, type EmbeddingState, type FolderState, type IngestProgress } from '../api';
import { bytes } from '../format';
import { highlightSnippet } from '../markdown';
import { relativeTime } from '../state';
import { useToast } from '../toast';
import { ConfirmDialog } from './Dialog';
import { DocViewer } from './DocViewer';

export function DocumentsPage() {
  const toast = useToast();
  const [list, setList] = useState<Doc[]>([]);
  const [progress, setProgress] = useState<IngestProgress | null>(null);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<DocHit[] | null>(null);
  const [removing, setRemoving] = useState<Doc | null>(null);
  const [viewing, setViewing] = useState<{ id: number; start: number; end: number } | null>(null);
  const [noteOpen, setNoteOpen] = useState(false);
  const [noteTitle, setNoteTitle] = useState('');
  const [noteText, setNoteText] = useState('');
  const [emb, setEmb] = useState<EmbeddingState | null>(null);
  const [embRun, setEmbRun] = useState<EmbeddingProgressData | null>(null);
  const [folders, setFolders] = useState<FolderState[]>([]);
  const [unwatching, setUnwatching] = useState<FolderState | null>(null);

  const refresh = useCallback(() => {
    api.listDocuments().then(setList).catch(toast.error);
    api.embeddingModels().then((s) => { setEmb(s); setEmbRun(s.running ?? null); }).catch(() => {});
    api.watchedFolders().then((fresh) => setFolders((fs) => fresh.map((st) => {
      const known = fs.find((f) => f.id === st.id);
      return known && known.seq > st.seq ? known : st;
    }))).catch(toast.error);
  }, [toast]);
  useEffect(() => {
    refresh();
    const offs = [
      events.onDocsChanged(refresh),
      events.onDocsFolder((st) => setFolders((fs) => mergeFolder(fs, st))),
      events.onDocsEmbedding((p) => {
        if (p.finished) {
          setEmbRun(null);
          if (p.error) toast.error(`Embedding with ${p.model} failed: ${p.error}`);
        } else {
          setEmbRun(p.done < p.total ? p : null);
        }
      }),
      events.onDocsProgress((p) => {
        setProgress(p.done ? null : p);
        if (p.done) {
          const rs = p.results ?? [];
          const n = (o: string) => rs.filter((r) => r.outcome === o).length;
          toast.info(`${n('added')} added, ${n('updated')} updated, ${n('unchanged')} unchanged, ${n('skipped')} skipped`);
          if (p.error) toast.error(p.error);
        }
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [refresh, toast]);

  useEffect(() => {
    const q = query.trim();
    if (!q) { setHits(null); return; }
    const t = window.setTimeout(() => api.searchDocuments(q).then(setHits).catch(toast.error), 200);
    return () => window.clearTimeout(t);
  }, [query, toast, list]);

  const pct = progress && progress.filesTotal > 0 ? (progress.files / progress.filesTotal) * 100 : undefined;
  return (
    <main className="page" aria-label="Documents">
      <h1>Documents</h1>
      <p className="muted">Add notes, docs and code; chats with “Use my documents” switched on answer from them, with citations.
        Everything stays in your encrypted database. You can also drop files or folders on the window.</p>
      <section className="card">
        <div className="row wrap">
          <button type="button" className="button primary" data-testid="add-files" onClick={() => api.addDocumentFiles().catch(toast.error)}>Add files…</button>
          <button type="button" className="button" data-testid="add-folder" title="The folder is watched: new, changed and deleted files are picked up while Sidecar runs"
            onClick={() => api.addDocumentFolder().then((st) => { if (st.path) refresh(); }).catch(toast.error)}>Add a folder…</button>
          <button type="button" className="button" data-testid="add-note" onClick={() => setNoteOpen(!noteOpen)}>Paste a note</button>
          <button type="button" className="button" data-testid="reindex" title="Read every file again and rebuild missing vectors"
            onClick={() => api.reindexDocuments().catch(toast.error)}>Re-index</button>
        </div>
        {emb && (
          <div className="embedding-row">
            <label>Embedding model
              <select value={embRun?.model ?? emb.active} data-testid="embedding-model" onChange={(e) => api.useEmbeddingModel(e.target.value).then(refresh).catch(toast.error)}>
                {emb.models.map((m) => <option key={m.id} value={m.id} disabled={!m.available}>{m.label}{m.available ? '' : ' — needs an API key'}</option>)}
              </select>
            </label>
            <div className="row">
              <button type="button" className="button small" data-testid="import-embedding"
                onClick={() => api.importEmbeddingModel().then((id) => { if (id) { toast.info('Model imported; choose it above to use it.'); refresh(); } }).catch(toast.error)}>
                Import a local model…</button>
              <span className="muted small">A Hugging Face sentence-embedding folder (BERT family, e.g. all-MiniLM-L6-v2): config.json, model.safetensors, tokenizer.json.</span>
            </div>
            <span className="muted small">{emb.models.find((m) => m.id === (embRun?.model ?? emb.active))?.note || 'Vectors are computed on this machine.'}</span>
            {embRun && (
              <div className="export-progress" data-testid="embedding-progress">
                <span className="muted small">Embedding with {embRun.model}: {embRun.done} of {embRun.total} chunks. Search uses {emb.active} until this is done.</span>
                <progress max={Math.max(1, embRun.total)} value={embRun.done} />
              </div>
            )}
          </div>
        )}
        {noteOpen && (
          <form className="note-form" onSubmit={(e) => {
            e.preventDefault();
            api.addNote(noteTitle.trim(), noteText).then((r) => {
              if (r.outcome === 'skipped') toast.error(`Not added: ${r.reason}`); else { toast.info('Note added.'); setNoteText(''); setNoteTitle(''); setNoteOpen(false); }
            }).catch(toast.error);
          }}>
            <input type="text" placeholder="Title" value={noteTitle} onChange={(e) => setNoteTitle(e.target.value)} data-testid="note-title" />
            <textarea rows={5} placeholder="Paste text or Markdown" value={noteText} onChange={(e) => setNoteText(e.target.value)} data-testid="note-text" />
            <div className="row"><button type="submit" className="button primary" disabled={!noteText.trim()} data-testid="note-save">Add note</button></div>
          </form>
        )}
        {progress && (
          <div className="download" aria-live="polite">
            <div className="download-head"><strong>Adding documents</strong>
              <span className="muted">{progress.files} of {progress.filesTotal} files · {progress.chunks} chunks · {progress.current.split('/').pop()}</span></div>
            <progress max={100} value={pct} />
          </div>
        )}
      </section>
      {folders.length > 0 && (
        <section className="card" aria-label="Watched folders">
          <h2>Watched folders</h2>
          <ul className="folder-list">
            {folders.map((f) => (
              <li key={f.id} data-testid="folder-row" className="row wrap">
                <span title={f.path}><strong>{f.path.split('/').pop() || f.path}</strong> <span className="muted small">{f.path}</span></span>
                <span className="muted small" data-testid="folder-state">{folderStatus(f)}</span>
                {f.status === 'indexing' && <progress max={Math.max(1, f.total)} value={f.done} />}
                {f.polling && <span className="muted small">{f.notice}</span>}
                <button type="button" className="button small" data-testid="folder-pause"
                  onClick={() => api.pauseFolder(f.id, f.status !== 'paused').then((st) => setFolders((fs) => mergeFolder(fs, st))).catch(toast.error)}>
                  {f.status === 'paused' ? 'Resume' : 'Pause'}</button>
                <button type="button" className="button small danger" data-testid="folder-remove" onClick={() => setUnwatching(f)}>Remove</button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card">
        <input type="search" className="filter" placeholder="Search your documents" aria-label="Search documents" value={query}
          onChange={(e) => setQuery(e.target.value)} data-testid="doc-search" />
        {hits && (
          <ul className="hits">
            {hits.length === 0 && <li className="muted">No matches.</li>}
            {hits.map((h) => (
              <li key={h.chunkId}>
                <button type="button" className="hit" data-testid="doc-hit" onClick={() => setViewing({ id: h.documentId, start: h.lineStart, end: h.lineEnd })}>
                  <span className="hit-title">{h.title}{h.heading && <span className="muted"> · {h.heading}</span>} <span className="muted small">lines {h.lineStart}–{h.lineEnd}</span></span>
                  <span className="hit-snippet" dangerouslySetInnerHTML={{ __html: highlightSnippet(h.snippet) }} />
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card">
        <h2>{list.length} document{list.length === 1 ? '' : 's'}</h2>
        {list.length === 0 && <p className="muted" data-testid="no-docs">Nothing yet. Add files, a folder or a note above.</p>}
        {list.length > 0 && (
          <table className="doc-table">
            <thead><tr><th>Name</th><th>Kind</th><th>Size</th><th>Chunks</th><th>Embedding</th><th>Updated</th><th /></tr></thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id} data-testid="doc-row">
                  <td title={d.source}><button type="button" className="link-button" onClick={() => setViewing({ id: d.id, start: 1, end: 0 })}>{d.title}</button></td>
                  <td>{d.kind}</td><td>{bytes(d.size)}</td><td>{d.chunks}</td><td className="muted small">{d.model}</td>
                  <td className="muted small">{relativeTime(d.updatedAt)}</td>
                  <td><button type="button" className="button small danger" onClick={() => setRemoving(d)}>Remove</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {removing && (
        <ConfirmDialog title={`Remove ${removing.title}?`} confirmLabel="Remove" danger confirmTestId="confirm-remove-doc"
          onCancel={() => setRemoving(null)}
          onConfirm={() => { const d = removing; setRemoving(null); api.deleteDocument(d.id).catch(toast.error); }}>
          <p>Its text, chunks and vectors are deleted from the database. Your file on disk is not touched.</p>
        </ConfirmDialog>
      )}
      {unwatching && (
        <ConfirmDialog title={`Stop watching ${unwatching.path}?`} confirmLabel="Remove folder" danger confirmTestId="confirm-remove-folder"
          onCancel={() => setUnwatching(null)}
          onConfirm={() => { const f = unwatching; setUnwatching(null); api.removeFolder(f.id).then(refresh).catch(toast.error); }}>
          <p>Its {folderFiles(unwatching)} documents are deleted from the database, with their chunks and vectors. The files on disk are not touched.</p>
        </ConfirmDialog>
      )}
      {viewing && <DocViewer {...viewing} onClose={() => setViewing(null)} />}
    </main>
  );
}

/** Puts a folder's state into the list unless a newer one is there already. */
function mergeFolder(fs: FolderState[], st: FolderState): FolderState[] {
  if (!fs.some((f) => f.id === st.id)) return [...fs, st];
  return fs.map((f) => (f.id === st.id && st.seq >= f.seq ? st : f));
}

/** What a watched folder is doing, in words. */
function folderStatus(f: FolderState): string {
  switch (f.status) {
    case 'ready': return `Up to date · ${f.files} file${f.files === 1 ? '' : 's'}`;
    case 'indexing': return `Indexing ${f.done} of ${f.total}`;
    case 'scanning': return 'Checking for changes…';
    case 'paused': return 'Paused';
    case 'error': return `Error: ${f.error}`;
    default: return f.status;
  }
}

function folderFiles(f: FolderState): string {
  return f.files > 0 ? String(f.files) : 'stored';
}
