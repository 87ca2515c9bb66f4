import { memo, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { Citation, Message } from '../api';
import { renderMarkdown } from '../markdown';
import { MessageAttachments } from './Attachments';
import { BranchNav } from './BranchNav';
import { tokensPerSecond } from '../state';
import { ThinkingBlock } from './ThinkingBlock';
import { BrowserOpenURL, ClipboardSetText } from '../wailsjs/runtime/runtime';

async function copyText(text: string) {
  try {
    await ClipboardSetText(text);
  } catch {
    await navigator.clipboard?.writeText(text);
  }
}

/** Renders Markdown at most once per animation frame while streaming. */
function useThrottledHtml(text: string, streaming: boolean): string {
  const [html, setHtml] = useState(() => renderMarkdown(text));
  const frame = useRef<number | null>(null);
  const textRef = useRef(text);
  textRef.current = text;
  useEffect(() => {
    if (!streaming) { setHtml(renderMarkdown(text)); return; }
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      setHtml(renderMarkdown(textRef.current));
    });
  });
  useEffect(() => () => { if (frame.current !== null) cancelAnimationFrame(frame.current); }, []);
  return html;
}

function onContentClick(e: MouseEvent<HTMLDivElement>) {
  const target = e.target as HTMLElement;
  const copy = target.closest('.copy-code');
  if (copy) {
    const code = copy.closest('.code-block')?.querySelector('code')?.textContent ?? '';
    copyText(code).then(() => {
      copy.textContent = 'Copied';
      window.setTimeout(() => { copy.textContent = 'Copy'; }, 1200);
    });
    return;
  }
  const link = target.closest('a');
  if (link) {
    e.preventDefault();
    const href = link.getAttribute('href');
    if (href && /^https?:/i.test(href)) BrowserOpenURL(href);
  }
}

interface Props {
  message: Message;
  modelName: string;
  isLast: boolean;
  onRegenerate: () => void;
  highlight: boolean;
  onCitation: (c: Citation) => void;
  onEdit: (text: string, attachments: number[]) => void;
  canEdit: boolean;
  onBranch: (messageId: number) => void;
}

export const MessageView = memo(function MessageView({ message: m, modelName, isLast, onRegenerate, highlight, onCitation, onEdit, canEdit, onBranch }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const [keep, setKeep] = useState<number[]>([]);
  const files = m.attachments ?? [];
  const streaming = m.status === 'streaming';
  const html = useThrottledHtml(m.content, streaming);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (highlight) ref.current?.scrollIntoView({ block: 'center' });
  }, [highlight]);
  const tps = tokensPerSecond(m);
  const isUser = m.role === 'user';
  const body = useMemo(() => (isUser ? m.content : null), [isUser, m.content]);
  return (
    <div ref={ref} className={`message ${m.role}${highlight ? ' flash' : ''}`} data-testid="message" data-role={m.role} data-status={m.status}>
      <div className="avatar" aria-hidden>{isUser ? 'You' : 'AI'}</div>
      <div className="bubble">
        {isUser && editing !== null ? (
          <form className="edit-box" onSubmit={(e) => { e.preventDefault(); if (editing.trim() || keep.length > 0) { onEdit(editing, keep); setEditing(null); } }}>
            <textarea value={editing} rows={Math.min(10, editing.split('\n').length + 1)} onChange={(e) => setEditing(e.target.value)} data-testid="edit-input" autoFocus
              onKeyDown={(e) => { if (e.key === 'Escape') setEditing(null); }} />
            <MessageAttachments files={files.filter((a) => keep.includes(a.id))} onRemove={(id) => setKeep((k) => k.filter((x) => x !== id))} />
            <div className="row">
              <button type="submit" className="button small primary" data-testid="edit-send">Save and resend</button>
              <button type="button" className="button small" onClick={() => setEditing(null)}>Cancel</button>
            </div>
          </form>
        ) : isUser ? (
          <>
            {body && <div className="content user-text">{body}</div>}
            <MessageAttachments files={files} />
            <BranchNav message={m} disabled={!canEdit} onSelect={onBranch} />
            {canEdit && <button type="button" className="edit-link" data-testid="edit" onClick={() => { setEditing(m.content); setKeep(files.map((a) => a.id)); }}>Edit</button>}
          </>
        ) : (
          <>
            <ThinkingBlock reasoning={m.reasoning ?? ''} streaming={streaming} answering={m.content !== ''} />
            <div className="content markdown" onClick={onContentClick} dangerouslySetInnerHTML={{ __html: html }} />
          </>
        )}
        {streaming && m.content === '' && <div className="typing" aria-label="Generating"><i /><i /><i /></div>}
        {m.status === 'error' && (
          <div className="answer-error" role="alert">
            <strong>The answer failed.</strong> {m.error}
            <button type="button" className="button small" data-testid="retry" onClick={onRegenerate}>Retry</button>
          </div>
        )}
        {!isUser && m.citations?.length > 0 && (
          <div className="citations" data-testid="citations">
            <span className="muted small">Sources</span>
            {m.citations.map((c) => (
              <button type="button" key={c.n} className="citation" data-testid="citation" onClick={() => onCitation(c)}
                title={`${c.source}, lines ${c.lineStart}–${c.lineEnd}`}>
                [{c.n}] {c.title}{c.heading ? ` · ${c.heading}` : ''} <span className="muted">:{c.lineStart}</span>
              </button>
            ))}
          </div>
        )}
        {!isUser && (
          <div className="meta">
            <BranchNav message={m} disabled={!canEdit} onSelect={onBranch} />
            {m.contextDropped > 0 && (
              <span className="tag warn" title="The chat is longer than the model's context">
                {m.contextDropped} earlier message{m.contextDropped === 1 ? '' : 's'} left out to fit the context
              </span>
            )}
            <span>{modelName}</span>
            {m.status === 'stopped' && <span className="tag">stopped</span>}
            {m.completionTokens > 0 && <span title={`${m.promptTokens} tokens in the prompt`} data-prompt-tokens={m.promptTokens}>{m.completionTokens} tokens</span>}
            {tps !== null && <span>{tps.toFixed(1)} tokens/s</span>}
            {!streaming && m.content && (
              <button type="button" className="link-button" data-testid="copy-answer" onClick={() => copyText(m.content)}>Copy</button>
            )}
            {isLast && !streaming && m.status !== 'error' && (
              <button type="button" className="link-button" data-testid="regenerate" onClick={onRegenerate}>Regenerate</button>
            )}
          </div>
        )}
      </div>
    </div>
  );
});
