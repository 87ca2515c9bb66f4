// The open chat's state and how events change it. Pure, so it is tested
// without a browser.
import type { Chat, ChatDetail, DoneEvent, Message, TokenEvent } from './api';

export interface ChatState {
  chat: Chat | null;
  messages: Message[];
  generating: boolean;
}

export const emptyChat: ChatState = { chat: null, messages: [], generating: false };

export type ChatAction =
  | { type: 'open'; detail: ChatDetail }
  | { type: 'close' }
  | { type: 'sent'; user: Message; assistant: Message }
  | { type: 'edited'; fromId: number; user: Message; assistant: Message }
  | { type: 'token'; event: TokenEvent }
  | { type: 'reasoning'; event: TokenEvent }
  | { type: 'done'; event: DoneEvent }
  | { type: 'chat'; chat: Chat };

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'open':
      return { chat: action.detail.chat, messages: action.detail.messages ?? [], generating: action.detail.generating };
    case 'close':
      return emptyChat;
    case 'sent': {
      if (!state.chat || action.user.chatId !== state.chat.id) return state;
      // Keep everything up to the user's message (a regenerate reuses it and
      // drops what followed), then the new, empty answer.
      const idx = state.messages.findIndex((m) => m.id === action.user.id);
      const before = idx >= 0 ? state.messages.slice(0, idx + 1) : [...state.messages, action.user];
      return { ...state, messages: [...before, action.assistant], generating: true };
    }
    case 'edited': {
      if (!state.chat || action.user.chatId !== state.chat.id) return state;
      const kept = state.messages.filter((m) => m.id < action.fromId);
      return { ...state, messages: [...kept, action.user, action.assistant], generating: true };
    }
    case 'token':
    case 'reasoning': {
      const e = action.event;
      if (!state.chat || e.chatId !== state.chat.id) return state;
      let found = false;
      const messages = state.messages.map((m) => {
        if (m.id !== e.messageId) return m;
        found = true;
        return action.type === 'token'
          ? { ...m, content: m.content + e.text } as Message
          : { ...m, reasoning: (m.reasoning ?? '') + e.text } as Message;
      });
      return found ? { ...state, messages } : state;
    }
    case 'done': {
      const e = action.event;
      if (!state.chat || e.chatId !== state.chat.id) return state;
      const exists = state.messages.some((m) => m.id === e.message.id);
      const messages = exists
        ? state.messages.map((m) => (m.id === e.message.id ? e.message : m))
        : [...state.messages, e.message];
      return { ...state, messages, generating: false };
    }
    case 'chat':
      if (!state.chat || action.chat.id !== state.chat.id) return state;
      return { ...state, chat: action.chat };
  }
}

/** Tokens per second of a finished answer, or null when not meaningful. */
export function tokensPerSecond(m: Message): number | null {
  if (!m.completionTokens || !m.durationMs) return null;
  return (m.completionTokens * 1000) / m.durationMs;
}

/** "just now", "5 min ago", "yesterday", or a date. */
export function relativeTime(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d === 1) return 'yesterday';
  if (d < 7) return `${d} days ago`;
  return new Date(ms).toLocaleDateString();
}
