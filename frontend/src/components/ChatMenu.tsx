import { useEffect, useRef, useState } from 'react';
import { Icon } from '../icons';

interface Props {
  onSettings: () => void;
  onExport: (format: 'markdown' | 'html') => void;
}

/** The chat's menu in its header: settings and exports. */
export function ChatMenu({ onSettings, onExport }: Props) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) setOpen(false); };
    const esc = (e: KeyboardEvent) => { if (e.key === 'Escape') setOpen(false); };
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', esc);
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    return () => { document.removeEventListener('mousedown', away); document.removeEventListener('keydown', esc); };
  }, [open]);
  const item = (testId: string, label: string, hint: string, act: () => void) => (
    <button type="button" role="menuitem" className="menu-item" data-testid={testId} onClick={() => { setOpen(false); act(); }}>
      <span>{label}</span><span className="muted small">{hint}</span>
    </button>
  );
  return (
    <div className="menu-wrap" ref={ref}>
      <button type="button" className="icon-button menu-button" data-testid="chat-menu" aria-haspopup="menu" aria-expanded={open}
        aria-label="Chat menu" title="More" onClick={() => setOpen(!open)}>
        <Icon name="more" size={18} />
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Chat">
          {item('menu-settings', 'Chat settings…', 'System prompt, presets, sampling', onSettings)}
          <div className="menu-sep" role="separator" />
          {item('export-markdown', 'Export as Markdown…', 'Code blocks kept, sources as footnotes', () => onExport('markdown'))}
          {item('export-html', 'Export as printable page…', 'One HTML file to print or save as PDF', () => onExport('html'))}
        </div>
      )}
    </div>
  );
}
