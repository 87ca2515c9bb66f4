import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api, events, type Attachment, type ModelOption, type Preset } from '../api';
import { inNativeWindow, maxAttachmentBytes, readBase64, visionRefusal } from '../attachments';
import { useToast } from '../toast';
import { AttachmentChip, AttachmentViewer } from './Attachments';
import { isCustom, matchingPreset, samplingSummary } from '../chatsettings';
import { Icon } from '../icons';
import { composerAction } from '../keys';
import type { ChatState } from '../state';
import { ChatMenu } from './ChatMenu';
import { DocViewer } from './DocViewer';
import { MessageView } from './MessageView';

interface Props {
  state: ChatState;
  models: ModelOption[];
  onSend: (text: string, attachments: number[]) => Promise<boolean>;
  onStop: () => void;
  onRegenerate: () => void;
  onModel: (model: string) => void;
  onDocuments: (on: boolean) => void;
  onEdit: (messageId: number, text: string, attachments: number[]) => void;
  onBranch: (messageId: number) => void;
  presets: Preset[];
  onApplyPreset: (presetId: number | null) => void;
  onOpenSettings: () => void;
  onManagePresets: () => void;
  onExport: (format: 'markdown' | 'html') => void;
  highlightId: number | null;
  composerRef: React.RefObject<HTMLTextAreaElement>;
}

const suggestions = [
  'Explain what a Go context is and when to cancel one',
  'Write a SQL query that finds duplicate emails',
  'Review this function for bugs:\n\n```go\n\n```',
  'Summarise the trade-offs of WAL mode in SQLite',
];

export function ChatPane({ state, models, onSend, onStop, onRegenerate, onModel, onDocuments, onEdit, onBranch, presets, onApplyPreset, onOpenSettings, onManagePresets, onExport, highlightId, composerRef }: Props) {
  const [viewing, setViewing] = useState<{ id: number; start: number; end: number } | null>(null);
  const { chat, messages, generating } = state;
  const listRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [text, setText] = useState('');
  const toast = useToast();
  const [pending, setPending] = useState<Attachment[]>(state.pending);
  const [viewingFile, setViewingFile] = useState<Attachment | null>(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  // Follow the stream unless the user scrolled up to read.
  const onScroll = () => {
    const el = listRef.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  useLayoutEffect(() => {
    const el = listRef.current;
    if (el && stick.current && highlightId === null) el.scrollTop = el.scrollHeight;
  }, [messages, highlightId]);
  // A chat's picked files are read when it opens.
  useEffect(() => { stick.current = true; setText(''); setPending(state.pending); }, [chat?.id]);

  // Grow the box with its content, up to a limit.
  useLayoutEffect(() => {
    const ta = composerRef.current;
    if (!ta) return;
    ta.style.height = 'auto';
    ta.style.height = `${Math.min(ta.scrollHeight, 240)}px`;
  }, [text, composerRef]);

  // In the window, files dropped on the message box come from the OS (not
  // the page): the app is told where the box is, attaches them and says so.
  const formRef = useRef<HTMLFormElement>(null);
  const chatId = chat?.id ?? 0;
  useEffect(() => {
    const form = formRef.current;
    if (!inNativeWindow() || !form || !chatId) return;
    const report = () => { api.setAttachDropZone(chatId, form.getBoundingClientRect()).catch(() => {}); };
    report();
    const ro = new ResizeObserver(report);
    ro.observe(form);
    window.addEventListener('resize', report);
    const off = events.onChatAttached((e) => {
      if (e.chatId !== chatId) return;
      setPending((p) => [...p, ...(e.attachments ?? [])]);
      if (e.error) toast.error(e.error);
    });
    return () => {
      ro.disconnect();
      window.removeEventListener('resize', report);
      off();
      api.setAttachDropZone(0, { x: 0, y: 0, width: 0, height: 0 }).catch(() => {});
    };
  }, [chatId, toast]);

  const modelName = (id: string) => models.find((m) => m.id === id)?.name ?? id;
  const current = chat?.model || 'echo/echo';
  const refusal = visionRefusal(pending, models.find((m) => m.id === current), modelName(current));

  const send = async () => {
    const t = text.trim();
    if ((!t && pending.length === 0) || generating || refusal) return;
    const files = pending;
    setText('');
    setPending([]);
    stick.current = true;
    if (!(await onSend(t, files.map((a) => a.id)))) {
      setText(t);
      setPending(files);
    }
  };

  // Files dropped, pasted or picked in the page are read here and kept by
  // the app for the next message; each refusal says why.
  const addFiles = async (files: File[]) => {
    if (!chat) return;
    for (const f of files) {
      const name = f.name || `pasted.${f.type.split('/')[1] || 'bin'}`;
      if (f.size > maxAttachmentBytes) {
        toast.error(`${name} cannot be attached: images are limited to 20 MiB, other files to 10 MiB`);
        continue;
      }
      try {
        const a = await api.addAttachment(chat.id, name, await readBase64(f));
        setPending((p) => [...p, a]);
      } catch (e) {
        toast.error(e);
      }
    }
  };
  const pick = async () => {
    if (!chat) return;
    if (!inNativeWindow()) { fileInput.current?.click(); return; }
    try {
      const added = await api.pickAttachments(chat.id);
      setPending((p) => [...p, ...added]);
    } catch (e) {
      toast.error(e);
    }
  };
  const remove = (a: Attachment) => {
    setPending((p) => p.filter((x) => x.id !== a.id));
    api.removeAttachment(a.id).catch(toast.error);
  };

  const local = models.filter((m) => m.local);
  const cloud = models.filter((m) => !m.local);
  const lastAssistant = [...messages].reverse().find((m) => m.role === 'assistant');
  const settings = chat?.settings;
  const preset = matchingPreset(settings, presets);
  const custom = isCustom(settings);
  const settingsLabel = preset ? preset.name : custom ? 'Custom prompt' : 'Chat settings';
  const settingsTitle = custom
    ? [settings?.systemPrompt ? `System prompt: ${settings.systemPrompt}` : 'No system prompt', samplingSummary(settings)].filter(Boolean).join('\n')
    : 'System prompt and sampling for this chat';

  return (
    <section className="chat-pane" aria-label="Conversation">
      <header className="chat-header">
        <h1 className="chat-heading" data-testid="chat-title">{chat?.title ?? 'Sidecar'}</h1>
        {chat && (
          <button type="button" className={`chip${custom ? ' on' : ''}`} data-testid="chat-settings" onClick={onOpenSettings} title={settingsTitle}>
            <Icon name="sliders" size={15} /><span className="chip-label">{settingsLabel}</span>
          </button>
        )}
        {chat && (
          <label className="docs-toggle" title="Answer from the documents you added, with citations">
            <input type="checkbox" data-testid="use-documents" checked={!!chat.useDocuments} onChange={(e) => onDocuments(e.target.checked)} />
            Use my documents
          </label>
        )}
        {chat && (
          <label className="model-label">
            <span className="visually-hidden">Model</span>
            <select data-testid="model-picker" value={current} onChange={(e) => onModel(e.target.value)} disabled={generating}>
              {!models.some((m) => m.id === current) && <option value={current}>{current} (unavailable)</option>}
              {local.length > 0 && (
                <optgroup label="On this machine">
                  {local.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
                </optgroup>
              )}
              {cloud.length > 0 && (
                <optgroup label="Cloud (sends your messages to the provider)">
                  {cloud.map((m) => <option key={m.id} value={m.id}>{m.name} · {m.provider}</option>)}
                </optgroup>
              )}
            </select>
          </label>
        )}
        {chat && <ChatMenu onSettings={onOpenSettings} onExport={onExport} />}
      </header>
      <div className="messages" ref={listRef} onScroll={onScroll}>
        {chat && messages.length === 0 && (
          <div className="empty-state" data-testid="empty-state">
            <h2>What are we working on?</h2>
            <p className="muted">Answers come from <strong>{modelName(current)}</strong>. Pick another model at the top right.</p>
            <div className="start-preset">
              <label htmlFor="start-preset">Preset</label>
              <select id="start-preset" data-testid="start-preset" value={preset ? String(preset.id) : custom ? 'custom' : ''}
                onChange={(e) => onApplyPreset(e.target.value === '' ? null : Number(e.target.value))}>
                <option value="">None (the model’s defaults)</option>
                {custom && !preset && <option value="custom" disabled>Custom</option>}
                {presets.map((p) => <option key={p.id} value={String(p.id)}>{p.name}</option>)}
              </select>
              <button type="button" className="link-button" data-testid="start-manage-presets" onClick={onManagePresets}>Manage…</button>
            </div>
            {settings?.systemPrompt && <p className="start-prompt muted small" data-testid="start-prompt">{settings.systemPrompt}</p>}
            <div className="suggestions">
              {suggestions.map((s) => (
                <button type="button" key={s} className="suggestion" onClick={() => { setText(s); composerRef.current?.focus(); }}>
                  {s.split('\n')[0]}
                </button>
              ))}
            </div>
          </div>
        )}
        {messages.map((m) => (
          <MessageView
            key={m.id}
            message={m}
            modelName={modelName(m.model)}
            isLast={m === lastAssistant}
            onRegenerate={onRegenerate}
            highlight={m.id === highlightId}
            onCitation={(c) => setViewing({ id: c.documentId, start: c.lineStart, end: c.lineEnd })}
            onEdit={(text, files) => onEdit(m.id, text, files)}
            canEdit={!generating}
            onBranch={onBranch}
          />
        ))}
      </div>
      {viewing && <DocViewer {...viewing} onClose={() => setViewing(null)} />}
      {viewingFile && <AttachmentViewer a={viewingFile} onClose={() => setViewingFile(null)} />}
      <form ref={formRef} className={`composer${dragging ? ' dragging' : ''}`} data-testid="composer-form" onSubmit={(e) => { e.preventDefault(); send(); }}
        onDragOver={(e) => { if (e.dataTransfer.types.includes('Files')) { e.preventDefault(); setDragging(true); } }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          setDragging(false);
          if (e.dataTransfer.files.length === 0) return;
          e.preventDefault();
          addFiles(Array.from(e.dataTransfer.files));
        }}>
        {(pending.length > 0 || refusal) && (
          <div className="composer-files">
            {pending.length > 0 && (
              <div className="attachment-row" data-testid="pending-attachments">
                {pending.map((a) => <AttachmentChip key={a.id} a={a} onOpen={() => setViewingFile(a)} onRemove={() => remove(a)} />)}
              </div>
            )}
            {refusal && <div className="attach-refusal" role="alert" data-testid="attach-refusal">{refusal}</div>}
          </div>
        )}
        <div className="composer-row">
          <input ref={fileInput} type="file" multiple hidden data-testid="attach-input"
            onChange={(e) => { const files = Array.from(e.target.files ?? []); e.target.value = ''; addFiles(files); }} />
          <button type="button" className="icon-button attach-button" data-testid="attach" onClick={pick}
            title="Attach files: text, code, PDF, or images for models that can see them (or drop them here, or paste an image)"
            aria-label="Attach files"><Icon name="clip" size={18} /></button>
          <textarea
            ref={composerRef}
            data-testid="composer"
            aria-label="Message"
            placeholder={generating ? 'Generating… press Esc to stop' : 'Message Sidecar (Enter to send, Shift+Enter for a new line)'}
            rows={1}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onPaste={(e) => {
              const files = Array.from(e.clipboardData.files).filter((f) => f.type.startsWith('image/'));
              if (files.length === 0) return;
              e.preventDefault();
              addFiles(files);
            }}
            onKeyDown={(e) => {
              const action = composerAction({ key: e.key, shiftKey: e.shiftKey, isComposing: e.nativeEvent.isComposing, generating });
              if (action === 'send') { e.preventDefault(); send(); }
              if (action === 'stop') { e.preventDefault(); onStop(); }
              if (action === null && e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) e.preventDefault();
            }}
          />
          {generating ? (
            <button type="button" className="button danger" data-testid="stop" onClick={onStop}>■ Stop</button>
          ) : (
            <button type="submit" className="button primary" data-testid="send" disabled={(!text.trim() && pending.length === 0) || !!refusal}>Send</button>
          )}
        </div>
      </form>
    </section>
  );
}
