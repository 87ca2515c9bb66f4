// The open chat's state and how events change it. Pure, so it is tested
// without a browser.
import type { Attachment, Chat, ChatDetail, DoneEvent, Message, TokenEvent } from './api';

export interface ChatState {
  chat: Chat | null;
  messages: Message[];
  generating: boolean;
  /**
   * What arrived for answers of the open chat that are not shown yet: a fast
   * answer's text, or even its end, can come before the call that started it
   * returns. Merged into the answer when that call's result arrives.
   */
  early: Record<number, Early>;
  /** Files picked for the next message when the chat was opened. */
  pending: Attachment[];
}

interface Early {
  content: string;
  reasoning: string;
  done?: Message;
}

/** At most this many early answers are kept (one is the usual case). */
const maxEarly = 8;

export const emptyChat: ChatState = { chat: null, messages: [], generating: false, early: {}, pending: [] };

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
      return { chat: action.detail.chat, messages: action.detail.messages ?? [], generating: action.detail.generating, early: {}, pending: action.detail.pending ?? [] };
    case 'close':
      return emptyChat;
    case 'sent': {
      if (!state.chat || action.user.chatId !== state.chat.id) return state;
      // Keep everything up to the user's message (a regenerate reuses it and
      // drops what followed), then the new, empty answer.
      const idx = state.messages.findIndex((m) => m.id === action.user.id);
      const before = idx >= 0 ? state.messages.slice(0, idx + 1) : [...state.messages, action.user];
      return withAnswer(state, before, action.assistant);
    }
    case 'edited': {
      if (!state.chat || action.user.chatId !== state.chat.id) return state;
      const kept = state.messages.filter((m) => m.id < action.fromId);
      return withAnswer(state, [...kept, action.user], action.assistant);
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
      if (found) return { ...state, messages };
      const prev = state.early[e.messageId] ?? { content: '', reasoning: '' };
      const next = action.type === 'token'
        ? { ...prev, content: prev.content + e.text }
        : { ...prev, reasoning: prev.reasoning + e.text };
      return keepEarly(state, e.messageId, next);
    }
    case 'done': {
      const e = action.event;
      if (!state.chat || e.chatId !== state.chat.id) return state;
      if (!state.messages.some((m) => m.id === e.message.id)) {
        const prev = state.early[e.message.id] ?? { content: '', reasoning: '' };
        return { ...keepEarly(state, e.message.id, { ...prev, done: e.message }), generating: false };
      }
      const messages = state.messages.map((m) => (m.id === e.message.id ? e.message : m));
      return { ...state, messages, generating: false };
    }
    case 'chat':
      if (!state.chat || action.chat.id !== state.chat.id) return state;
      return { ...state, chat: action.chat };
  }
}

// withAnswer shows the messages up to a question and its new answer, with
// whatever already arrived for that answer.
function withAnswer(state: ChatState, before: Message[], answer: Message): ChatState {
  const got = state.early[answer.id];
  if (!got) return { ...state, messages: [...before, answer], generating: true };
  const early = { ...state.early };
  delete early[answer.id];
  if (got.done) return { ...state, messages: [...before, got.done], generating: false, early };
  const merged = {
    ...answer,
    content: answer.content + got.content,
    reasoning: got.reasoning ? (answer.reasoning ?? '') + got.reasoning : answer.reasoning,
  } as Message;
  return { ...state, messages: [...before, merged], generating: true, early };
}

// keepEarly records what arrived for an answer not shown yet, dropping the
// oldest (lowest id) entries beyond maxEarly.
function keepEarly(state: ChatState, id: number, got: Early): ChatState {
  const early = { ...state.early, [id]: got };
  const ids = Object.keys(early).map(Number).sort((a, b) => a - b);
  for (const old of ids.slice(0, Math.max(0, ids.length - maxEarly))) delete early[old];
  return { ...state, early };
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
