// Files given with a message: chips (name, kind, size, a thumbnail for
// images, the note when a text was cut to fit) and a viewer for one.
import { useEffect, useState } from 'react';
import { api, type Attachment, type AttachmentContent } from '../api';
import { cutNote, kindLabel } from '../attachments';
import { bytes } from '../format';
import { Icon } from '../icons';
import { useToast } from '../toast';

/** An image attachment's picture, read once from the app. */
function Thumbnail({ id }: { id: number }) {
  const [url, setUrl] = useState('');
  useEffect(() => {
    let live = true;
    api.openAttachment(id).then((c) => { if (live) setUrl(c.dataUrl); }).catch(() => {});
    return () => { live = false; };
  }, [id]);
  return url ? <img className="attachment-thumb" src={url} alt="" data-testid="attachment-thumb" /> : <span className="attachment-thumb" />;
}

interface ChipProps {
  a: Attachment;
  onOpen?: () => void;
  onRemove?: () => void;
}

/** One file: a button that opens it, and a remove button while it can still be left out. */
export function AttachmentChip({ a, onOpen, onRemove }: ChipProps) {
  const note = cutNote(a);
  return (
    <span className={`attachment${note ? ' cut' : ''}`} data-testid="attachment" data-kind={a.kind} data-name={a.name}>
      <button type="button" className="attachment-open" onClick={onOpen} disabled={!onOpen} title={note ? `${a.name}: ${note}` : a.name}>
        {a.kind === 'image' ? <Thumbnail id={a.id} /> : <span className="attachment-icon"><Icon name="docs" size={16} /></span>}
        <span className="attachment-text">
          <span className="attachment-name">{a.name}</span>
          <span className="attachment-meta">{kindLabel(a.kind)} · {bytes(a.size)}</span>
        </span>
      </button>
      {onRemove && (
        <button type="button" className="attachment-remove" aria-label={`Remove ${a.name}`} data-testid="attachment-remove" onClick={onRemove}>×</button>
      )}
    </span>
  );
}

/** The files of a sent message, each opening in the viewer; a cut text says so below. */
export function MessageAttachments({ files, onRemove }: { files: Attachment[]; onRemove?: (id: number) => void }) {
  const [open, setOpen] = useState<Attachment | null>(null);
  if (files.length === 0) return null;
  const cut = files.filter((a) => a.truncated);
  return (
    <div className="message-attachments" data-testid="message-attachments">
      <div className="attachment-row">
        {files.map((a) => (
          <AttachmentChip key={a.id} a={a} onOpen={() => setOpen(a)} onRemove={onRemove && (() => onRemove(a.id))} />
        ))}
      </div>
      {cut.map((a) => (
        <div key={a.id} className="tag warn attachment-cut" data-testid="attachment-cut">{a.name}: {cutNote(a)}</div>
      ))}
      {open && <AttachmentViewer a={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

/** Shows an attachment: its text (a text file, a PDF's text) or its image. */
export function AttachmentViewer({ a, onClose }: { a: Attachment; onClose: () => void }) {
  const toast = useToast();
  const [content, setContent] = useState<AttachmentContent | null>(null);
  useEffect(() => { api.openAttachment(a.id).then(setContent).catch((e) => { toast.error(e); onClose(); }); }, [a.id, toast, onClose]);
  return (
    <div className="backdrop" onMouseDown={onClose}>
      <div className="dialog viewer" role="dialog" aria-modal="true" aria-label={a.name} data-testid="attachment-viewer"
        onMouseDown={(e) => e.stopPropagation()} onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
        <div className="viewer-head">
          <div><h2>{a.name}</h2><div className="muted small">{kindLabel(a.kind)} · {bytes(a.size)}{a.truncated ? ` · ${cutNote(a)}` : ''}</div></div>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose} autoFocus>×</button>
        </div>
        <div className="viewer-body">
          {content === null ? <p className="muted">Loading…</p>
            : content.dataUrl ? <img className="attachment-full" src={content.dataUrl} alt={a.name} data-testid="attachment-image" />
              : <pre className="attachment-textview" data-testid="attachment-text">{content.text}</pre>}
        </div>
      </div>
    </div>
  );
}
