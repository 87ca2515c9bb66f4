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
  /**
   * Pieces that arrived ahead of a gap (events can be delivered out of
   * order), keyed by heldKey, until the text before them arrives.
   */
  held: Record<string, string>;
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
/** At most this many pieces wait for a gap to fill. */
const maxHeld = 256;

export const emptyChat: ChatState = { chat: null, messages: [], generating: false, early: {}, held: {}, pending: [] };

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
      return { chat: action.detail.chat, messages: action.detail.messages ?? [], generating: action.detail.generating, early: {}, held: {}, pending: action.detail.pending ?? [] };
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
      const field = action.type === 'token' ? 'content' : 'reasoning';
      const shown = state.messages.find((m) => m.id === e.messageId);
      if (shown) {
        // A piece delivered after the answer's end is already in its final text.
        if (shown.status !== 'streaming') return state;
        const [text, held] = place(state.held, e.messageId, field, shown[field] ?? '', e);
        if (held === state.held && text === (shown[field] ?? '')) return state;
        const messages = state.messages.map((m) => (m.id === e.messageId ? { ...m, [field]: text } as Message : m));
        return { ...state, messages, held };
      }
      const prev = state.early[e.messageId] ?? { content: '', reasoning: '' };
      if (prev.done) return state;
      const [text, held] = place(state.held, e.messageId, field, prev[field], e);
      return keepEarly({ ...state, held }, e.messageId, { ...prev, [field]: text });
    }
    case 'done': {
      const e = action.event;
      if (!state.chat || e.chatId !== state.chat.id) return state;
      if (!state.messages.some((m) => m.id === e.message.id)) {
        const prev = state.early[e.message.id] ?? { content: '', reasoning: '' };
        const ended = keepEarly({ ...state, held: dropHeld(state.held, e.message.id) }, e.message.id, { ...prev, done: e.message });
        return { ...ended, generating: false };
      }
      const messages = state.messages.map((m) => (m.id === e.message.id ? e.message : m));
      return { ...state, messages, generating: false, held: dropHeld(state.held, e.message.id) };
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

// place puts a streamed piece into the text received so far. Pieces carry
// their offset in the text (UTF-16 code units, as JavaScript counts): one
// already received is dropped, one past a gap waits in held until the text
// before it arrives.
function place(held: Record<string, string>, id: number, field: string, text: string, e: TokenEvent): [string, Record<string, string>] {
  const at = e.offset;
  if (at > text.length) {
    const next = { ...held, [heldKey(id, field, at)]: e.text };
    const keys = Object.keys(next);
    for (const old of keys.slice(0, Math.max(0, keys.length - maxHeld))) delete next[old];
    return [text, next];
  }
  if (at + e.text.length <= text.length) return [text, held];
  text += e.text.slice(text.length - at);
  let rest = held;
  for (let key = heldKey(id, field, text.length); key in rest; key = heldKey(id, field, text.length)) {
    text += rest[key];
    rest = { ...rest };
    delete rest[key];
  }
  return [text, rest];
}

function heldKey(id: number, field: string, at: number): string {
  return `${id}/${field}/${at}`;
}

// dropHeld forgets the waiting pieces of a finished answer.
function dropHeld(held: Record<string, string>, id: number): Record<string, string> {
  const prefix = `${id}/`;
  const keys = Object.keys(held);
  if (!keys.some((k) => k.startsWith(prefix))) return held;
  return Object.fromEntries(Object.entries(held).filter(([k]) => !k.startsWith(prefix)));
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
