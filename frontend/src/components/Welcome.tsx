import type { ModelOption } from '../api';
import { Icon, type IconName } from '../icons';

interface Props {
  hasChats: boolean;
  models: ModelOption[];
  onEcho: () => void;
  onCloud: () => void;
  onLocal: () => void;
  onDocuments: () => void;
  onStart: () => void;
}

interface Way {
  id: string;
  icon: IconName;
  title: string;
  text: string;
  action: string;
  done?: string;
  onClick: () => void;
}

/**
 * The screen with no chat open. On first start it lays out the ways to get
 * an answer (a cloud key, a local model, the built-in echo model) and the
 * documents that answers can cite.
 */
export function Welcome({ hasChats, models, onEcho, onCloud, onLocal, onDocuments, onStart }: Props) {
  const cloud = models.filter((m) => !m.local).length;
  const local = models.filter((m) => m.local && m.provider !== 'echo').length;
  const ways: Way[] = [
    {
      id: 'cloud', icon: 'key', title: 'Add a cloud key',
      text: 'OpenAI, Anthropic or Gemini. The key is checked, then kept only in your OS keychain.',
      action: 'Open Settings', done: cloud > 0 ? `${cloud} cloud model${cloud === 1 ? '' : 's'} ready` : undefined, onClick: onCloud,
    },
    {
      id: 'local', icon: 'model', title: 'Run a model on this machine',
      text: 'Download or import a GPT-J or GGUF model. Nothing you write leaves the computer.',
      action: 'Open Models', done: local > 0 ? `${local} local model${local === 1 ? '' : 's'} ready` : undefined, onClick: onLocal,
    },
    {
      id: 'echo', icon: 'spark', title: 'Try the app now',
      text: 'The built-in echo model repeats what you write: no key, no download, no network.',
      action: 'Chat with echo', onClick: onEcho,
    },
    {
      id: 'docs', icon: 'docs', title: 'Add your documents',
      text: 'Notes, docs and code, searched on this machine, so answers can cite them.',
      action: 'Open Documents', onClick: onDocuments,
    },
  ];
  return (
    <main className="welcome" data-testid="empty-state">
      <div className="welcome-card">
        <div className="welcome-logo" aria-hidden>S</div>
        <h1>{hasChats ? 'Pick a chat, or start a new one' : 'Welcome to Sidecar'}</h1>
        <p className="muted">
          Your AI companion for code. Chats stay on this machine in an encrypted database whose key lives in your OS keychain.
          {hasChats ? '' : ' Choose how answers should come:'}
        </p>
        {hasChats && <button type="button" className="button primary big" data-testid="welcome-start" onClick={onStart}>Start a chat</button>}
        <div className="ways" role="list">
          {ways.map((w) => (
            <button type="button" role="listitem" key={w.id} className="way" data-testid={`welcome-${w.id}`} onClick={w.onClick}>
              <span className="way-icon"><Icon name={w.icon} size={20} /></span>
              <span className="way-title">{w.title}</span>
              <span className="way-text">{w.text}</span>
              <span className="way-foot">
                {w.done ? <span className="tag ok">{w.done}</span> : <span />}
                <span className="way-action">{w.action} →</span>
              </span>
            </button>
          ))}
        </div>
        <p className="muted small">Ctrl+N new chat · Ctrl+K search chats · Enter send · Shift+Enter new line</p>
      </div>
    </main>
  );
}
