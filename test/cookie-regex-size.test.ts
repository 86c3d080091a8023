// MESH321 measures a cookie condition without a regex of its own (exact, prefix, present, absent)
// on a regex of the same shape with every character of the name and value replaced, so that
// cookies of the same lengths share one compiled regex. Its findings must be exactly those of
// measuring each emitted regex itself: checked here on names and values of every printable ASCII
// character (RE2's syntax characters included) and of lengths on both sides of Envoy's limit.
import { describe, expect, it } from 'vitest';
import { checkRe2, ENVOY_MAX_PROGRAM_SIZE } from '../src/common/re2-regex.js';
import { cookieCondition } from '../src/model/conditions.js';
import type { ValueCondition } from '../src/model/route-match.js';
import { validateText } from './helpers/validate-text.js';

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYNTAX = '\\.+*?()|[]{}^$';

function text(next: () => number, length: number, alphabet: string): string {
  let result = '';
  for (let i = 0; i < length; i++) result += alphabet[Math.floor(next() * alphabet.length)];
  return result;
}

interface Case {
  readonly name: string;
  readonly condition: Exclude<ValueCondition, { kind: 'regex' | 'malformed' }>;
}

function cases(seed: number, count: number): Case[] {
  const next = random(seed);
  let printable = '';
  for (let code = 0x20; code <= 0x7e; code++) printable += String.fromCharCode(code);
  const kinds = ['exact', 'prefix', 'present', 'absent'] as const;
  // Values long enough for some regexes to be over the limit and some under.
  const found: Case[] = [];
  for (let i = 0; i < count; i++) {
    // Names and values made of syntax characters only, or of any printable character.
    const alphabet = i % 3 === 0 ? SYNTAX : printable;
    const name = `c${i}-${text(next, Math.floor(next() * 40), alphabet)}`;
    const kind = kinds[i % kinds.length]!;
    const value = text(next, 20 + Math.floor(next() * 70), alphabet);
    found.push({ name, condition: kind === 'exact' || kind === 'prefix' ? { kind, value } : { kind } });
  }
  return found;
}

function meshWith(entries: readonly Case[]): string {
  const routes = entries.map(({ name, condition }) => {
    const match = condition.kind === 'exact' || condition.kind === 'prefix' ? `{${condition.kind}: ${JSON.stringify(condition.value)}}` : `{${condition.kind}: true}`;
    return `    - {match: {cookies: {${JSON.stringify(name)}: ${match}}}}`;
  });
  return `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
  versions:
    v1: {labels: {version: v1}}
  routes:
${routes.join('\n')}
`;
}

describe('MESH321 on cookie conditions without a regex', () => {
  it('reports exactly the cookies whose emitted regex is over the limit, with its size', () => {
    const entries = cases(321, 240);
    const expected = entries.flatMap(({ name, condition }, index) => {
      const emitted = cookieCondition(name, condition).match;
      const result = emitted.kind === 'regex' ? checkRe2(emitted.value) : undefined;
      if (!result?.valid || result.programSize <= ENVOY_MAX_PROGRAM_SIZE) return [];
      return [`route ${index}: ${result.programSize}`];
    });
    // Both sides of the limit are exercised.
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.length).toBeLessThan(entries.length - 20);

    const result = validateText(meshWith(entries));
    const found = result.diagnostics.filter((d) => d.code === 'MESH321').map((d) => `route ${/routes\[(\d+)\]/.exec(d.path ?? '')?.[1]}: ${d.data?.size}`);
    expect(result.diagnostics.filter((d) => d.code !== 'MESH321' && d.level === 'error')).toEqual([]);
    expect(found.sort()).toEqual(expected.sort());
  });
});
