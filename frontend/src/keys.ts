// What a key press in the message box means.
export type ComposerAction = 'send' | 'stop' | 'newline' | null;

export interface KeyInfo {
  key: string;
  shiftKey: boolean;
  isComposing: boolean; // an input method is composing: Enter confirms it
  generating: boolean;
}

export function composerAction(k: KeyInfo): ComposerAction {
  if (k.isComposing) return null;
  if (k.key === 'Escape' && k.generating) return 'stop';
  if (k.key !== 'Enter') return null;
  if (k.shiftKey) return 'newline';
  return k.generating ? null : 'send';
}
