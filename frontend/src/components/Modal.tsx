import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  children: ReactNode;
  footer: ReactNode;
  wide?: boolean;
  testId?: string;
  onClose: () => void;
}

/** A modal with a title, a body and a row of actions; Escape and the backdrop close it. */
export function Modal({ title, children, footer, wide, testId, onClose }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>('textarea, input, select, button');
    first?.focus();
  }, []);
  return (
    <div className="backdrop" onMouseDown={onClose}>
      <div ref={ref} className={`dialog${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} data-testid={testId}
        onMouseDown={(e) => e.stopPropagation()} onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } }}>
        <h2>{title}</h2>
        <div className="dialog-body">{children}</div>
        <div className="dialog-actions">{footer}</div>
      </div>
    </div>
  );
}
