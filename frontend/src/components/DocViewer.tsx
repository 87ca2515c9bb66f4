import { useEffect, useRef, useState } from 'react';
import { api, type DocFull } from '../api';
import { useToast } from '../toast';

/** Shows a document's text with lines start..end highlighted and in view. */
export function DocViewer({ id, start, end, onClose }: { id: number; start: number; end: number; onClose: () => void }) {
  const toast = useToast();
  const [doc, setDoc] = useState<DocFull | null>(null);
  const mark = useRef<HTMLDivElement>(null);
  useEffect(() => { api.getDocument(id).then(setDoc).catch((e) => { toast.error(e); onClose(); }); }, [id, toast, onClose]);
  useEffect(() => { mark.current?.scrollIntoView({ block: 'center' }); }, [doc]);
  const lines = doc ? doc.text.split('\n') : [];
  return (
    <div className="backdrop" onMouseDown={onClose}>
      <div className="dialog viewer" role="dialog" aria-modal="true" aria-label={doc?.title ?? 'Document'} data-testid="doc-viewer"
        onMouseDown={(e) => e.stopPropagation()} onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
        <div className="viewer-head">
          <div><h2>{doc?.title ?? '…'}</h2><div className="muted small">{doc?.source} · lines {start}–{end}</div></div>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose} autoFocus>×</button>
        </div>
        <div className="viewer-body">
          {lines.map((l, i) => {
            const n = i + 1;
            const on = n >= start && n <= end;
            return (
              <div key={i} ref={n === start ? mark : undefined} className={`vline${on ? ' on' : ''}`}>
                <span className="ln">{n}</span><span className="lt">{l || ' '}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
