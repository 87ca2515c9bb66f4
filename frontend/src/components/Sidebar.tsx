import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Chat, MessageHit } from '../api';
import { api } from '../api';
import { highlightSnippet } from '../markdown';
import { relativeTime } from '../state';
import { useToast } from '../toast';
import { Icon } from '../icons';

interface Props {
  chats: Chat[];
  activeId: number | null;
  onOpen: (id: number, messageId?: number) => void;
  onNew: () => void;
  onRename: (id: number, title: string) => void;
  onDelete: (chat: Chat) => void;
  filterRef: React.RefObject<HTMLInputElement>;
}

export function Sidebar({ chats, activeId, onOpen, onNew, onRename, onDelete, filterRef }: Props) {
  const [filter, setFilter] = useState('');
  const [hits, setHits] = useState<MessageHit[] | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const toast = useToast();

  // Search message text across chats once the filter has a few letters.
  useEffect(() => {
    const q = filter.trim();
    if (q.length < 2) { setHits(null); return; }
    const t = window.setTimeout(() => {
      api.searchMessages(q).then(setHits).catch(toast.error);
    }, 180);
    return () => window.clearTimeout(t);
  }, [filter, toast]);

  const shown = filter.trim()
    ? chats.filter((c) => c.title.toLowerCase().includes(filter.trim().toLowerCase()))
    : chats;

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[data-testid="chat-open"]')];
    const i = items.indexOf(document.activeElement as HTMLElement);
    const next = items[Math.max(0, Math.min(items.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))];
    next?.focus();
  };

  return (
    <aside className="sidebar" aria-label="Chats">
      <div className="sidebar-top">
        <button type="button" className="button primary wide" data-testid="new-chat" onClick={onNew} title="New chat (Ctrl+N)">
          <Icon name="plus" size={16} /> New chat
        </button>
        <input
          ref={filterRef}
          className="filter"
          type="search"
          placeholder="Search chats (Ctrl+K)"
          aria-label="Search chats"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Escape') setFilter(''); }}
        />
      </div>
      <ul className="chat-list" onKeyDown={onListKey}>
        {shown.map((c) => (
          <li key={c.id} className={`chat-item${c.id === activeId ? ' active' : ''}`} data-testid="chat-item" aria-current={c.id === activeId ? 'true' : undefined}>
            {editing === c.id ? (
              <RenameBox
                initial={c.title}
                onDone={(title) => { setEditing(null); if (title !== null && title !== c.title) onRename(c.id, title); }}
              />
            ) : (
              <>
                <button type="button" className="chat-open" data-testid="chat-open" onClick={() => onOpen(c.id)} onDoubleClick={() => setEditing(c.id)}>
                  <span className="chat-title">{c.title}</span>
                  <span className="chat-time">{relativeTime(c.updatedAt)}</span>
                </button>
                <span className="chat-actions">
                  <button type="button" className="icon-button" data-testid="chat-rename" aria-label={`Rename ${c.title}`} title="Rename" onClick={() => setEditing(c.id)}>
                    <Icon name="pencil" size={15} /></button>
                  <button type="button" className="icon-button danger" data-testid="chat-delete" aria-label={`Delete ${c.title}`} title="Delete" onClick={() => onDelete(c)}>
                    <Icon name="trash" size={15} /></button>
                </span>
              </>
            )}
          </li>
        ))}
        {shown.length === 0 && chats.length > 0 && <li className="muted small pad">No chat titles match.</li>}
      </ul>
      {hits && (
        <div className="search-hits" aria-label="Messages found">
          <div className="section-label">In messages</div>
          {hits.length === 0 && <div className="muted small pad">No messages match.</div>}
          {hits.map((h) => (
            <button type="button" key={h.messageId} className="hit" data-testid="message-hit" onClick={() => onOpen(h.chatId, h.messageId)}>
              <span className="hit-title">{h.chatTitle}</span>
              <span className="hit-snippet" dangerouslySetInnerHTML={{ __html: highlightSnippet(h.snippet) }} />
            </button>
          ))}
        </div>
      )}
    </aside>
  );
}

function RenameBox({ initial, onDone }: { initial: string; onDone: (title: string | null) => void }) {
  const [value, setValue] = useState(initial);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => { ref.current?.focus(); ref.current?.select(); }, []);
  const finish = (save: boolean) => onDone(save && value.trim() ? value.trim() : null);
  return (
    <input
      ref={ref}
      className="rename-input"
      data-testid="rename-input"
      aria-label="Chat title"
      value={value}
      maxLength={200}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') finish(true);
        if (e.key === 'Escape') finish(false);
      }}
      onBlur={() => finish(true)}
    />
  );
}
