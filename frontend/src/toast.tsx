// Error and info toasts: top-right, auto-dismissed, closable.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { errorText } from './api';

interface Toast { id: number; kind: 'error' | 'info'; text: string }
interface ToastApi { error: (e: unknown) => void; info: (text: string) => void }

const Ctx = createContext<ToastApi>({ error: () => {}, info: () => {} });

export function useToast(): ToastApi {
  return useContext(Ctx);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const close = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const push = useCallback((kind: Toast['kind'], text: string) => {
    const id = next.current++;
    setToasts((ts) => [...ts.slice(-4), { id, kind, text }]);
    window.setTimeout(() => close(id), kind === 'error' ? 8000 : 4000);
  }, [close]);
  const api = useMemo<ToastApi>(() => ({ error: (e) => push('error', errorText(e)), info: (t) => push('info', t) }), [push]);
  return (
    <Ctx.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast">
            <span>{t.text}</span>
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => close(t.id)}>×</button>
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}
