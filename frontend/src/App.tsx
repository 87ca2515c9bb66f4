import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api, events, type Chat, type ChatSettings, type ModelOption, type Preset, type Status, type Theme } from './api';
import { ChatPane } from './components/ChatPane';
import { ChatSettingsDialog } from './components/ChatSettingsDialog';
import { PresetsDialog } from './components/PresetsDialog';
import { ConfirmDialog } from './components/Dialog';
import { DocumentsPage } from './components/DocumentsPage';
import { ModelsPage } from './components/ModelsPage';
import { SettingsPage } from './components/SettingsPage';
import { Sidebar } from './components/Sidebar';
import { StatusPage } from './components/StatusPage';
import { Welcome } from './components/Welcome';
import { chatReducer, emptyChat } from './state';
import { useToast } from './toast';
import { Icon } from './icons';

type View = 'chats' | 'documents' | 'models' | 'settings';

/** The built-in echo model's ID. */
const echoModel = 'echo/echo';

function applyTheme(t: Theme) {
  const dark = t === 'dark' || (t === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

function sortChats(cs: Chat[]): Chat[] {
  return [...cs].sort((a, b) => b.updatedAt - a.updatedAt || b.id - a.id);
}

export function App() {
  const toast = useToast();
  const [status, setStatus] = useState<Status | null>(null);
  const [view, setView] = useState<View>('chats');
  const [theme, setThemeState] = useState<Theme>('system');
  const [chats, setChats] = useState<Chat[]>([]);
  const [models, setModels] = useState<ModelOption[]>([]);
  const [state, dispatch] = useReducer(chatReducer, emptyChat);
  const [deleting, setDeleting] = useState<Chat | null>(null);
  const [presets, setPresets] = useState<Preset[]>([]);
  const [dialog, setDialog] = useState<'settings' | 'presets' | null>(null);
  const [highlightId, setHighlightId] = useState<number | null>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const openId = useRef<number | null>(null);
  openId.current = state.chat?.id ?? null;

  useEffect(() => {
    api.status().then(setStatus).catch((e) => setStatus({ ready: false, error: String(e), help: '', dataDir: '', logFile: '', version: '' } as Status));
  }, []);

  const ready = status?.ready === true;

  useEffect(() => {
    if (!ready) return;
    api.theme().then((t) => { setThemeState(t); applyTheme(t); }).catch(toast.error);
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    const onChange = () => api.theme().then(applyTheme).catch(() => {});
    mq?.addEventListener('change', onChange);
    return () => mq?.removeEventListener('change', onChange);
  }, [ready, toast]);

  const refreshModels = useCallback(() => { api.listModels().then(setModels).catch(toast.error); }, [toast]);
  const refreshPresets = useCallback(() => api.listPresets().then(setPresets).catch(toast.error), [toast]);

  useEffect(() => {
    if (!ready) return;
    api.listChats().then(setChats).catch(toast.error);
    refreshModels();
    refreshPresets();
    const offs = [
      events.onToken((e) => dispatch({ type: 'token', event: e })),
      events.onReasoning((e) => dispatch({ type: 'reasoning', event: e })),
      events.onDone((e) => {
        dispatch({ type: 'done', event: e });
        if (e.message.status === 'error' && e.chatId !== openId.current) toast.error(`An answer failed: ${e.message.error}`);
      }),
      events.onChatUpdated((c) => {
        dispatch({ type: 'chat', chat: c });
        setChats((cs) => sortChats([c, ...cs.filter((x) => x.id !== c.id)]));
      }),
      events.onModelsChanged(refreshModels),
      events.onChatsChanged(() => api.listChats().then(setChats).catch(() => {})),
    ];
    return () => offs.forEach((off) => off());
  }, [ready, toast, refreshModels, refreshPresets]);

  const openChat = useCallback(async (id: number, messageId?: number) => {
    try {
      let d = await api.openChat(id);
      // A search hit on another version: show the branch it is on.
      if (messageId !== undefined && !d.messages.some((m) => m.id === messageId)) d = await api.selectBranch(id, messageId);
      dispatch({ type: 'open', detail: d });
      setView('chats');
      setHighlightId(messageId ?? null);
      if (messageId === undefined) window.setTimeout(() => composerRef.current?.focus(), 0);
    } catch (e) {
      toast.error(e);
    }
  }, [toast]);

  // The chat being created and opened, if any: a message sent meanwhile
  // (New chat, then typing at once) goes to it, not to the chat before it.
  const opening = useRef<Promise<Chat | null> | null>(null);
  const newChat = useCallback((): Promise<Chat | null> => {
    const p = (async () => {
      try {
        const c = await api.createChat();
        setChats((cs) => sortChats([c, ...cs]));
        await openChat(c.id);
        return c;
      } catch (e) {
        toast.error(e);
        return null;
      }
    })();
    opening.current = p;
    void p.then(() => { if (opening.current === p) opening.current = null; });
    return p;
  }, [openChat, toast]);

  // A chat with the built-in echo model, to try the app with no key or model.
  const startEcho = useCallback(async () => {
    const c = await newChat();
    if (!c || c.model === echoModel) return;
    try {
      await api.setChatModel(c.id, echoModel);
      dispatch({ type: 'chat', chat: { ...c, model: echoModel } as Chat });
    } catch (e) {
      toast.error(e);
    }
  }, [newChat, toast]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      if (e.key === 'n' || e.key === 'N') { e.preventDefault(); setView('chats'); newChat(); }
      if (e.key === 'k' || e.key === 'K') { e.preventDefault(); setView('chats'); window.setTimeout(() => filterRef.current?.focus(), 0); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [newChat]);

  // A model picked just before sending is in force for that message.
  const modelChange = useRef<Promise<unknown>>(Promise.resolve());
  const send = async (text: string, attachments: number[]): Promise<boolean> => {
    await modelChange.current;
    const pending = opening.current;
    let chatId = pending ? (await pending)?.id : state.chat?.id;
    if (chatId === undefined) {
      const c = await newChat();
      if (!c) return false;
      chatId = c.id;
    }
    try {
      const r = await api.send(chatId, text, attachments);
      dispatch({ type: 'sent', user: r.user, assistant: r.assistant });
      setHighlightId(null);
      return true;
    } catch (e) {
      toast.error(e);
      return false;
    }
  };

  const regenerate = async () => {
    if (!state.chat) return;
    try {
      const r = await api.regenerate(state.chat.id);
      dispatch({ type: 'sent', user: r.user, assistant: r.assistant });
    } catch (e) {
      toast.error(e);
    }
  };

  // A chat's new settings, from the settings dialog or a preset.
  const chatSettingsSaved = (c: Chat) => {
    dispatch({ type: 'chat', chat: c });
    setChats((cs) => cs.map((x) => (x.id === c.id ? c : x)));
  };
  const saveChatSettings = async (s: ChatSettings): Promise<boolean> => {
    if (!state.chat) return false;
    try {
      chatSettingsSaved(await api.setChatSettings(state.chat.id, s));
      return true;
    } catch (e) {
      toast.error(e);
      return false;
    }
  };
  const applyPreset = async (presetId: number | null) => {
    if (!state.chat) return;
    try {
      chatSettingsSaved(presetId === null
        ? await api.setChatSettings(state.chat.id, { systemPrompt: '', maxTokens: 0 })
        : await api.applyPreset(state.chat.id, presetId));
    } catch (e) {
      toast.error(e);
    }
  };

  const exportChat = async (format: 'markdown' | 'html') => {
    if (!state.chat) return;
    try {
      const path = await api.exportChat(state.chat.id, format);
      if (path) toast.info(`Saved to ${path}`);
    } catch (e) {
      toast.error(e);
    }
  };

  const setTheme = (t: Theme) => {
    setThemeState(t);
    applyTheme(t);
    api.setTheme(t).catch(toast.error);
  };
  const cycleTheme = () => setTheme(theme === 'system' ? 'light' : theme === 'light' ? 'dark' : 'system');

  if (!status) return <div className="boot" aria-busy="true">Opening your data…</div>;
  if (!ready) return <StatusPage status={status} onOpened={() => window.location.reload()} />;

  const nav: { id: View; label: string; icon: 'chat' | 'docs' | 'model' | 'settings' }[] = [
    { id: 'chats', label: 'Chats', icon: 'chat' },
    { id: 'documents', label: 'Docs', icon: 'docs' },
    { id: 'models', label: 'Models', icon: 'model' },
    { id: 'settings', label: 'Settings', icon: 'settings' },
  ];

  return (
    <div className="app">
      <nav className="rail" aria-label="Sections">
        <div className="logo" aria-hidden>S</div>
        {nav.map((n) => (
          <button type="button" key={n.id} className={`rail-button${view === n.id ? ' on' : ''}`} data-testid={`nav-${n.id}`}
            aria-current={view === n.id ? 'page' : undefined} onClick={() => setView(n.id)} title={n.label}>
            <Icon name={n.icon} size={20} /><span className="rail-label">{n.label}</span>
          </button>
        ))}
        <div className="rail-spacer" />
        <button type="button" className="rail-button" data-testid="theme-toggle" onClick={cycleTheme}
          title={`Theme: ${theme} (click to change)`} aria-label={`Theme: ${theme}`}>
          <Icon name={theme === 'dark' ? 'moon' : theme === 'light' ? 'sun' : 'system'} size={20} /><span className="rail-label">{theme}</span>
        </button>
      </nav>
      {view === 'chats' && (
        <>
          <Sidebar chats={chats} activeId={state.chat?.id ?? null} onOpen={openChat} onNew={newChat} filterRef={filterRef}
            onRename={(id, title) => api.renameChat(id, title).then(() => api.listChats().then(setChats)).then(() => {
              if (state.chat?.id === id) dispatch({ type: 'chat', chat: { ...state.chat, title } as Chat });
            }).catch(toast.error)}
            onDelete={setDeleting} />
          {state.chat ? (
            <ChatPane state={state} models={models} onSend={send} onStop={() => state.chat && api.stop(state.chat.id).catch(toast.error)}
              onRegenerate={regenerate} highlightId={highlightId} composerRef={composerRef}
              onEdit={async (messageId, text, attachments) => {
                if (!state.chat) return;
                try {
                  const r = await api.editAndResend(state.chat.id, messageId, text, attachments);
                  dispatch({ type: 'edited', fromId: messageId, user: r.user, assistant: r.assistant });
                } catch (e) { toast.error(e); }
              }}
              onBranch={async (messageId) => {
                if (!state.chat) return;
                try {
                  dispatch({ type: 'open', detail: await api.selectBranch(state.chat.id, messageId) });
                } catch (e) { toast.error(e); }
              }}
              onDocuments={(on) => {
                if (!state.chat) return;
                const before = state.chat;
                dispatch({ type: 'chat', chat: { ...before, useDocuments: on } as Chat });
                api.setChatDocuments(before.id, on).catch((e) => { dispatch({ type: 'chat', chat: before }); toast.error(e); });
              }}
              presets={presets} onApplyPreset={applyPreset} onOpenSettings={() => setDialog('settings')} onManagePresets={() => setDialog('presets')}
              onExport={exportChat}
              onModel={(m) => {
                if (!state.chat) return;
                const c = state.chat;
                modelChange.current = api.setChatModel(c.id, m)
                  .then(() => dispatch({ type: 'chat', chat: { ...c, model: m } as Chat }))
                  .catch(toast.error);
              }} />
          ) : (
            <Welcome hasChats={chats.length > 0} models={models} onStart={newChat} onEcho={startEcho}
              onCloud={() => setView('settings')} onLocal={() => setView('models')} onDocuments={() => setView('documents')} />
          )}
        </>
      )}
      {view === 'documents' && <DocumentsPage />}
      {view === 'models' && <ModelsPage />}
      {view === 'settings' && <SettingsPage status={status} theme={theme} onTheme={setTheme} />}
      {dialog === 'settings' && state.chat && (
        <ChatSettingsDialog key={state.chat.id} chat={state.chat} presets={presets} onSave={saveChatSettings}
          onManagePresets={() => setDialog('presets')} onClose={() => setDialog(null)} />
      )}
      {dialog === 'presets' && <PresetsDialog presets={presets} onChanged={refreshPresets} onClose={() => setDialog(null)} />}
      {deleting && (
        <ConfirmDialog title="Delete this chat?" confirmLabel="Delete" danger confirmTestId="confirm-delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const c = deleting;
            setDeleting(null);
            api.deleteChat(c.id).then(() => {
              setChats((cs) => cs.filter((x) => x.id !== c.id));
              if (state.chat?.id === c.id) dispatch({ type: 'close' });
            }).catch(toast.error);
          }}>
          <p>“{deleting.title}” and all its messages will be removed from this machine. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
