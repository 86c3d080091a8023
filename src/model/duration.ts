// Durations as mesh files write them (250ms, 2s, 1m30s, 1h) and as emitters need them.
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// Meshes repeat the same few durations thousands of times; rules parse each of them again.
const parsed = new Map<string, number | undefined>();
const MAX_REMEMBERED = 10_000;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const milliseconds = parseDurationUncached(text);
  if (parsed.size < MAX_REMEMBERED) parsed.set(text, milliseconds);
  return milliseconds;
}

function parseDurationUncached(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}

/** A duration validation has checked, in milliseconds: the compiler's one way to read a duration. */
export function durationMs(text: string): number {
  const milliseconds = parseDuration(text);
  if (milliseconds === undefined) throw new Error(`duration "${text}" reached the compiler; validation should have refused it`);
  return milliseconds;
}

/** Protobuf JSON form (seconds with up to 9 decimals), as Istio and Envoy configs want: 1.5s. */
export function toProtoDuration(milliseconds: number): string {
  const seconds = Math.round(milliseconds) / 1000;
  return `${Number(seconds.toFixed(3))}s`;
}
