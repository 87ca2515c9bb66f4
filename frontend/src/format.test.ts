import { expect, it } from 'vitest';
import { bytes, duration, params } from './format';

it('formats sizes and durations', () => {
  expect(bytes(512)).toBe('512 B');
  expect(bytes(1_500_000)).toBe('1.5 MB');
  expect(bytes(827_000_000)).toBe('827 MB');
  expect(bytes(-1)).toBe('?');
  expect(duration(42e9)).toBe('42 s');
  expect(duration(200e9)).toBe('3 min 20 s');
  expect(duration(-1)).toBe('unknown');
});

it('formats parameter counts', () => {
  expect(params(6_053_381_344)).toBe('6.1B');
  expect(params(124_000_000)).toBe('124M');
  expect(params(541_952)).toBe('542K');
  expect(params(0)).toBe('?');
});
