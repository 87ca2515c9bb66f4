// Puts the backend's events back in the order they were sent. Each event
// carries a sequence number after its payload (app.go); the window
// delivers them in order, but in a browser the development server sends
// each on its own and they can arrive swapped, which would let a stale
// "loading" or "streaming" overwrite the end that followed it.

/** Gives up on a missing event after this long, and hands on what waits. */
const gapMs = 300;
/** At most this many events wait for a missing one. */
const maxWaiting = 4096;

export class EventOrder {
  private next: number | null = null;
  private waiting = new Map<number, () => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly wait = gapMs, private readonly cap = maxWaiting) {}

  /** Runs deliver in sequence order (at once when seq is not a number). */
  push(seq: unknown, deliver: () => void): void {
    if (typeof seq !== 'number') {
      deliver();
      return;
    }
    if (this.next === null) this.next = seq;
    if (seq < this.next) {
      // Late after a gap was given up on, or from before the first one seen.
      deliver();
      return;
    }
    this.waiting.set(seq, deliver);
    this.drain();
    if (this.waiting.size >= this.cap) this.flush();
    else if (this.waiting.size > 0 && this.timer === null) this.timer = setTimeout(() => this.flush(), this.wait);
  }

  private drain(): void {
    for (let d = this.waiting.get(this.next!); d !== undefined; d = this.waiting.get(this.next!)) {
      this.waiting.delete(this.next!);
      this.next!++;
      d();
    }
    if (this.waiting.size === 0 && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  // flush skips the gaps: what waits goes out in order.
  private flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const seqs = [...this.waiting.keys()].sort((a, b) => a - b);
    for (const s of seqs) {
      const d = this.waiting.get(s);
      if (d === undefined) continue;
      this.waiting.delete(s);
      this.next = s + 1;
      d();
    }
  }
}
