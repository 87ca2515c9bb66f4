import { describe, expect, it } from 'vitest';
import { chatReducer, emptyChat, relativeTime, tokensPerSecond, type ChatState } from './state';
import type { Message } from './api';

const msg = (over: Partial<Message>): Message => ({
  id: 1, chatId: 7, role: 'user', content: '', model: '', status: 'done', error: '', promptTokens: 0,
  completionTokens: 0, durationMs: 0, contextDropped: 0, createdAt: 0, ...over,
}) as Message;

function opened(messages: Message[] = []): ChatState {
  return chatReducer(emptyChat, {
    type: 'open',
    detail: { chat: { id: 7, title: 't', model: 'echo/echo', createdAt: 0, updatedAt: 0 }, messages, generating: false } as any,
  });
}

describe('chatReducer', () => {
  it('streams reasoning apart from the answer text', () => {
    let s = opened([msg({ id: 2, content: 'q' })]);
    s = chatReducer(s, { type: 'sent', user: msg({ id: 2, content: 'q' }), assistant: msg({ id: 3, role: 'assistant', status: 'streaming' }) });
    s = chatReducer(s, { type: 'reasoning', event: { chatId: 7, messageId: 3, text: 'Weigh' } });
    s = chatReducer(s, { type: 'reasoning', event: { chatId: 7, messageId: 3, text: ' it.' } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 3, text: 'Answer' } });
    s = chatReducer(s, { type: 'reasoning', event: { chatId: 8, messageId: 3, text: 'other chat' } });
    expect(s.messages[1].reasoning).toBe('Weigh it.');
    expect(s.messages[1].content).toBe('Answer');
    expect(s.messages[0].reasoning).toBeUndefined();
  });
  it('streams tokens into the right answer and finishes it', () => {
    let s = opened([msg({ id: 1, content: 'hi' })]);
    s = chatReducer(s, { type: 'sent', user: msg({ id: 2, content: 'q' }), assistant: msg({ id: 3, role: 'assistant', status: 'streaming' }) });
    expect(s.generating).toBe(true);
    expect(s.messages.map((m) => m.id)).toEqual([1, 2, 3]);
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 3, text: 'Echo:' } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 3, text: ' q' } });
    expect(s.messages[2].content).toBe('Echo: q');
    expect(s.messages[1].content).toBe('q');
    s = chatReducer(s, { type: 'done', event: { chatId: 7, message: msg({ id: 3, role: 'assistant', content: 'Echo: q', status: 'done', completionTokens: 2 }) } });
    expect(s.generating).toBe(false);
    expect(s.messages[2].status).toBe('done');
    expect(s.messages[2].completionTokens).toBe(2);
  });

  it('ignores events of other chats and unknown messages', () => {
    const s = opened([msg({ id: 1, role: 'assistant', content: 'a' })]);
    expect(chatReducer(s, { type: 'token', event: { chatId: 8, messageId: 1, text: 'x' } })).toBe(s);
    expect(chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 99, text: 'x' } }).messages).toBe(s.messages);
    expect(chatReducer(s, { type: 'done', event: { chatId: 8, message: msg({ id: 1, chatId: 8 }) } })).toBe(s);
    expect(chatReducer(emptyChat, { type: 'token', event: { chatId: 7, messageId: 1, text: 'x' } })).toBe(emptyChat);
  });

  it('regenerate drops what followed the user message', () => {
    let s = opened([msg({ id: 1 }), msg({ id: 2, role: 'assistant', status: 'error', error: 'boom' })]);
    s = chatReducer(s, { type: 'sent', user: msg({ id: 1 }), assistant: msg({ id: 5, role: 'assistant', status: 'streaming' }) });
    expect(s.messages.map((m) => m.id)).toEqual([1, 5]);
  });

  it('edit and resend drops the edited message and what followed', () => {
    let s = opened([msg({ id: 1 }), msg({ id: 2, role: 'assistant' }), msg({ id: 3 }), msg({ id: 4, role: 'assistant' })]);
    s = chatReducer(s, { type: 'edited', fromId: 3, user: msg({ id: 5, content: 'new' }), assistant: msg({ id: 6, role: 'assistant', status: 'streaming' }) });
    expect(s.messages.map((m) => m.id)).toEqual([1, 2, 5, 6]);
    expect(s.generating).toBe(true);
  });

  it('an answer that finishes before its send call returns is shown finished', () => {
    let s = opened([msg({ id: 1, content: 'q' })]);
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'Echo: q' } });
    s = chatReducer(s, { type: 'done', event: { chatId: 7, message: msg({ id: 2, role: 'assistant', content: 'Echo: q', status: 'done' }) } });
    expect(s.messages.map((m) => m.id)).toEqual([1]);
    s = chatReducer(s, { type: 'sent', user: msg({ id: 1, content: 'q' }), assistant: msg({ id: 2, role: 'assistant', status: 'streaming' }) });
    expect(s.messages.map((m) => [m.id, m.status, m.content])).toEqual([[1, 'done', 'q'], [2, 'done', 'Echo: q']]);
    expect(s.generating).toBe(false);
    expect(s.early).toEqual({});
  });

  it('a regenerated answer that finishes first replaces the old one once', () => {
    let s = opened([msg({ id: 1 }), msg({ id: 2, role: 'assistant', content: 'old' })]);
    s = chatReducer(s, { type: 'done', event: { chatId: 7, message: msg({ id: 3, role: 'assistant', content: 'new', status: 'done' }) } });
    s = chatReducer(s, { type: 'sent', user: msg({ id: 1 }), assistant: msg({ id: 3, role: 'assistant', status: 'streaming' }) });
    expect(s.messages.map((m) => [m.id, m.content, m.status])).toEqual([[1, '', 'done'], [3, 'new', 'done']]);
    expect(s.generating).toBe(false);
  });

  it('an edit whose answer finished first shows it finished', () => {
    let s = opened([msg({ id: 1 }), msg({ id: 2, role: 'assistant' })]);
    s = chatReducer(s, { type: 'done', event: { chatId: 7, message: msg({ id: 4, role: 'assistant', content: 'Echo: b', status: 'done' }) } });
    s = chatReducer(s, { type: 'edited', fromId: 1, user: msg({ id: 3, content: 'b' }), assistant: msg({ id: 4, role: 'assistant', status: 'streaming' }) });
    expect(s.messages.map((m) => [m.id, m.status])).toEqual([[3, 'done'], [4, 'done']]);
    expect(s.generating).toBe(false);
  });

  it('text streamed before the send call returns is kept, and the rest follows', () => {
    let s = opened();
    s = chatReducer(s, { type: 'reasoning', event: { chatId: 7, messageId: 2, text: 'Think.' } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'Ec' } });
    s = chatReducer(s, { type: 'sent', user: msg({ id: 1, content: 'q' }), assistant: msg({ id: 2, role: 'assistant', status: 'streaming' }) });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'ho' } });
    expect(s.messages[1].content).toBe('Echo');
    expect(s.messages[1].reasoning).toBe('Think.');
    expect(s.generating).toBe(true);
  });

  it('keeps a bounded number of early answers, and none of other chats', () => {
    let s = opened();
    for (let id = 100; id < 120; id++) s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: id, text: 'x' } });
    expect(Object.keys(s.early).map(Number)).toEqual([112, 113, 114, 115, 116, 117, 118, 119]);
    expect(chatReducer(s, { type: 'token', event: { chatId: 8, messageId: 5, text: 'x' } })).toBe(s);
    expect(chatReducer(s, { type: 'open', detail: { chat: { id: 7 }, messages: [], generating: false } as any }).early).toEqual({});
  });

  it('updates the title from chat events for the open chat only', () => {
    const s = opened();
    expect(chatReducer(s, { type: 'chat', chat: { id: 7, title: 'New title' } as any }).chat?.title).toBe('New title');
    expect(chatReducer(s, { type: 'chat', chat: { id: 9, title: 'Other' } as any })).toBe(s);
  });
});

describe('helpers', () => {
  it('tokensPerSecond', () => {
    expect(tokensPerSecond(msg({ completionTokens: 50, durationMs: 2000 }))).toBe(25);
    expect(tokensPerSecond(msg({ completionTokens: 0, durationMs: 10 }))).toBeNull();
  });
  it('relativeTime', () => {
    const now = 1_000_000_000_000;
    expect(relativeTime(now - 10_000, now)).toBe('just now');
    expect(relativeTime(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(relativeTime(now - 26 * 3_600_000, now)).toBe('yesterday');
  });
});
