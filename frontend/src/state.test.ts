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
    s = chatReducer(s, { type: 'reasoning', event: { chatId: 7, messageId: 3, text: 'Weigh', offset: 0 } });
    s = chatReducer(s, { type: 'reasoning', event: { chatId: 7, messageId: 3, text: ' it.', offset: 5 } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 3, text: 'Answer', offset: 0 } });
    s = chatReducer(s, { type: 'reasoning', event: { chatId: 8, messageId: 3, text: 'other chat', offset: 9 } });
    expect(s.messages[1].reasoning).toBe('Weigh it.');
    expect(s.messages[1].content).toBe('Answer');
    expect(s.messages[0].reasoning).toBeUndefined();
  });
  it('streams tokens into the right answer and finishes it', () => {
    let s = opened([msg({ id: 1, content: 'hi' })]);
    s = chatReducer(s, { type: 'sent', user: msg({ id: 2, content: 'q' }), assistant: msg({ id: 3, role: 'assistant', status: 'streaming' }) });
    expect(s.generating).toBe(true);
    expect(s.messages.map((m) => m.id)).toEqual([1, 2, 3]);
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 3, text: 'Echo:', offset: 0 } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 3, text: ' q', offset: 5 } });
    expect(s.messages[2].content).toBe('Echo: q');
    expect(s.messages[1].content).toBe('q');
    s = chatReducer(s, { type: 'done', event: { chatId: 7, message: msg({ id: 3, role: 'assistant', content: 'Echo: q', status: 'done', completionTokens: 2 }) } });
    expect(s.generating).toBe(false);
    expect(s.messages[2].status).toBe('done');
    expect(s.messages[2].completionTokens).toBe(2);
  });

  it('ignores events of other chats and unknown messages', () => {
    const s = opened([msg({ id: 1, role: 'assistant', content: 'a' })]);
    expect(chatReducer(s, { type: 'token', event: { chatId: 8, messageId: 1, text: 'x', offset: 0 } })).toBe(s);
    expect(chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 99, text: 'x', offset: 0 } }).messages).toBe(s.messages);
    expect(chatReducer(s, { type: 'done', event: { chatId: 8, message: msg({ id: 1, chatId: 8 }) } })).toBe(s);
    expect(chatReducer(emptyChat, { type: 'token', event: { chatId: 7, messageId: 1, text: 'x', offset: 1 } })).toBe(emptyChat);
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
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'Echo: q', offset: 0 } });
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
    s = chatReducer(s, { type: 'reasoning', event: { chatId: 7, messageId: 2, text: 'Think.', offset: 0 } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'Ec', offset: 0 } });
    s = chatReducer(s, { type: 'sent', user: msg({ id: 1, content: 'q' }), assistant: msg({ id: 2, role: 'assistant', status: 'streaming' }) });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'ho', offset: 2 } });
    expect(s.messages[1].content).toBe('Echo');
    expect(s.messages[1].reasoning).toBe('Think.');
    expect(s.generating).toBe(true);
  });

  it('keeps a bounded number of early answers, and none of other chats', () => {
    let s = opened();
    for (let id = 100; id < 120; id++) s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: id, text: 'x', offset: 0 } });
    expect(Object.keys(s.early).map(Number)).toEqual([112, 113, 114, 115, 116, 117, 118, 119]);
    expect(chatReducer(s, { type: 'token', event: { chatId: 8, messageId: 5, text: 'x', offset: 0 } })).toBe(s);
    expect(chatReducer(s, { type: 'open', detail: { chat: { id: 7 }, messages: [], generating: false } as any }).early).toEqual({});
  });

  it('a piece delivered after the answer ended is not added again', () => {
    let s = opened([msg({ id: 1, content: 'alpha' })]);
    s = chatReducer(s, { type: 'sent', user: msg({ id: 1, content: 'alpha' }), assistant: msg({ id: 2, role: 'assistant', status: 'streaming' }) });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'Echo:', offset: 0 } });
    s = chatReducer(s, { type: 'done', event: { chatId: 7, message: msg({ id: 2, role: 'assistant', content: 'Echo: alpha', status: 'done' }) } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: ' alpha', offset: 5 } });
    expect(s.messages[1].content).toBe('Echo: alpha');
    expect(s.held).toEqual({});
  });

  it('places pieces that arrive out of order or twice by their offsets', () => {
    let s = opened([msg({ id: 1, content: 'q' })]);
    s = chatReducer(s, { type: 'sent', user: msg({ id: 1, content: 'q' }), assistant: msg({ id: 2, role: 'assistant', status: 'streaming' }) });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: ' 👋', offset: 5 } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: ' end', offset: 8 } });
    expect(s.messages[1].content).toBe('');
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'Echo:', offset: 0 } });
    expect(s.messages[1].content).toBe('Echo: 👋 end');
    expect(s.held).toEqual({});
    const same = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: ' 👋', offset: 5 } });
    expect(same).toBe(s);
    // A piece overlapping the end of what is shown adds only its new part.
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'end!', offset: 9 } });
    expect(s.messages[1].content).toBe('Echo: 👋 end!');
  });

  it('orders early pieces too, and a waiting piece of an ended answer is dropped', () => {
    let s = opened();
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'ho', offset: 2 } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'Ec', offset: 0 } });
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: '!', offset: 9 } });
    s = chatReducer(s, { type: 'sent', user: msg({ id: 1, content: 'q' }), assistant: msg({ id: 2, role: 'assistant', status: 'streaming' }) });
    expect(s.messages[1].content).toBe('Echo');
    expect(Object.keys(s.held)).toHaveLength(1);
    s = chatReducer(s, { type: 'done', event: { chatId: 7, message: msg({ id: 2, role: 'assistant', content: 'Echo: q', status: 'done' }) } });
    expect(s.messages[1].content).toBe('Echo: q');
    expect(s.held).toEqual({});
  });

  it('keeps a bounded number of waiting pieces', () => {
    let s = opened([msg({ id: 1 })]);
    s = chatReducer(s, { type: 'sent', user: msg({ id: 1 }), assistant: msg({ id: 2, role: 'assistant', status: 'streaming' }) });
    for (let at = 1; at <= 1000; at++) s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'x', offset: at } });
    expect(Object.keys(s.held)).toHaveLength(256);
    s = chatReducer(s, { type: 'token', event: { chatId: 7, messageId: 2, text: 'x', offset: 0 } });
    expect(s.messages[1].content).toBe('x');
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
