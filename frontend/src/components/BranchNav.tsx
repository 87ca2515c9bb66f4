// Steps between the versions of a turn (an edited message, a regenerated
// answer): ‹ 2/3 ›. Picking one shows it and the conversation that followed it.
import type { Message } from '../api';
import { Icon } from '../icons';

interface Props {
  message: Message;
  disabled: boolean;
  onSelect: (messageId: number) => void;
}

export function BranchNav({ message, disabled, onSelect }: Props) {
  const ids = message.siblings ?? [];
  const i = ids.indexOf(message.id);
  if (ids.length < 2 || i < 0) return null;
  const what = message.role === 'user' ? 'message' : 'answer';
  return (
    <span className="branch-nav" data-testid="branch-nav" role="group" aria-label={`Versions of this ${what}`}>
      <button type="button" data-testid="branch-prev" aria-label={`Previous version of this ${what}`} title="Previous version"
        disabled={disabled || i === 0} onClick={() => onSelect(ids[i - 1])}><Icon name="prev" size={13} /></button>
      <span className="branch-pos" data-testid="branch-pos">{i + 1}/{ids.length}</span>
      <button type="button" data-testid="branch-next" aria-label={`Next version of this ${what}`} title="Next version"
        disabled={disabled || i === ids.length - 1} onClick={() => onSelect(ids[i + 1])}><Icon name="next" size={13} /></button>
    </span>
  );
}
