// Small formatting helpers for sizes, speeds and durations.
export function bytes(n: number): string {
  if (n < 0) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** nanoseconds (Go time.Duration) to "3 min 20 s". */
export function duration(ns: number): string {
  if (ns < 0) return 'unknown';
  const s = Math.round(ns / 1e9);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A parameter count as people write it: "6.1B", "125M", "542K". */
export function params(n: number): string {
  if (n <= 0) return '?';
  const [div, unit] = n >= 1e9 ? [1e9, 'B'] : n >= 1e6 ? [1e6, 'M'] : n >= 1e3 ? [1e3, 'K'] : [1, ''];
  const v = n / div;
  return `${v < 10 && div > 1 ? v.toFixed(1) : Math.round(v)}${unit}`;
}
