import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventOrder } from './eventorder';

describe('EventOrder', () => {
  afterEach(() => vi.useRealTimers());
  const run = (o: EventOrder, got: string[], seq: unknown, name: string) => o.push(seq, () => got.push(name));

  it('hands on events in the order they were sent', () => {
    const o = new EventOrder();
    const got: string[] = [];
    run(o, got, 5, 'a');
    run(o, got, 7, 'c');
    run(o, got, 8, 'd');
    expect(got).toEqual(['a']);
    run(o, got, 6, 'b');
    expect(got).toEqual(['a', 'b', 'c', 'd']);
    run(o, got, 9, 'e');
    expect(got).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('passes events without a sequence number at once', () => {
    const o = new EventOrder();
    const got: string[] = [];
    run(o, got, 1, 'a');
    run(o, got, 3, 'c');
    run(o, got, undefined, 'x');
    expect(got).toEqual(['a', 'x']);
  });

  it('gives up on a missing event after a while, keeping the order of the rest', () => {
    vi.useFakeTimers();
    const o = new EventOrder(300);
    const got: string[] = [];
    run(o, got, 1, 'a');
    run(o, got, 4, 'd');
    run(o, got, 3, 'c');
    vi.advanceTimersByTime(299);
    expect(got).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(got).toEqual(['a', 'c', 'd']);
    run(o, got, 5, 'e');
    expect(got).toEqual(['a', 'c', 'd', 'e']);
    // The missing one, late: handed on rather than lost.
    run(o, got, 2, 'b');
    expect(got).toEqual(['a', 'c', 'd', 'e', 'b']);
  });

  it('bounds what waits', () => {
    vi.useFakeTimers();
    const o = new EventOrder(300, 4);
    const got: string[] = [];
    run(o, got, 1, 'a');
    for (let s = 3; s <= 6; s++) run(o, got, s, String(s));
    expect(got).toEqual(['a', '3', '4', '5', '6']);
    run(o, got, 7, '7');
    expect(got).toEqual(['a', '3', '4', '5', '6', '7']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
