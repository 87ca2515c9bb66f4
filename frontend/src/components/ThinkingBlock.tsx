/**
 * A model's reasoning, apart from its answer: a collapsed "Thinking"
 * block the user can expand, filled in as the reasoning streams.
 */
export function ThinkingBlock({ reasoning, streaming, answering }: { reasoning: string; streaming: boolean; answering: boolean }) {
  if (!reasoning) return null;
  const live = streaming && !answering;
  return (
    <details className="thinking" data-testid="thinking">
      <summary>{live ? 'Thinking…' : 'Thinking'}</summary>
      <div className="thinking-text" data-testid="thinking-text">{reasoning}</div>
    </details>
  );
}
