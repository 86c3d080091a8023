// Regular expressions as Envoy runs them: RE2 (through re2js, never JavaScript's RegExp, whose
// syntax differs), matched against the whole value, and refused by Envoy when RE2's compiled
// program is larger than `re2.max_program_size.error_level` (100 by default): a single oversized
// regex makes Envoy reject the whole route configuration.
//
// re2js's own programSize() counts a rune-based program (re2js is a port of RE2/J and Go's
// regexp), while C++ RE2, which Envoy links, compiles every character class to UTF-8 byte ranges:
// `.` is 1 instruction for re2js and 8 for Envoy, `\pL` 1 and about 1,200. So meshctl estimates
// the C++ program size from the re2js program: byte-range instructions of each class (a port of
// RE2's UTF-8 range compiler, suffix caching and leading-byte trie included), the unanchored `.*?`
// prefix, the literal prefix RE2 strips after `^`, and the instructions that survive RE2's
// flattening. The estimate leaves out instructions it cannot be sure of, so it mostly errs low:
// compared with C++ RE2 on about 1,500 patterns, every one it put over 100 was over 100 in RE2.
import { RE2JS } from 're2js';

/** Envoy's default `re2.max_program_size.error_level`. */
export const ENVOY_MAX_PROGRAM_SIZE = 100;

export type Re2Check =
  | { readonly valid: true; readonly programSize: number }
  | { readonly valid: false; readonly reason: string };

const CACHE_LIMIT = 10_000;
const checked = new Map<string, Re2Check>();
const compiledPatterns = new Map<string, RE2JS | { readonly error: unknown }>();

/** Whether RE2 accepts the pattern, and the estimated size of Envoy's compiled program. */
export function checkRe2(pattern: string): Re2Check {
  let result = checked.get(pattern);
  if (result) return result;
  result = measure(pattern);
  remember(checked, pattern, result);
  return result;
}

/**
 * Whether the pattern matches the whole text, as Envoy's safe_regex does; undefined when the
 * pattern is not valid RE2.
 */
export function re2FullMatch(pattern: string, text: string): boolean | undefined {
  const compiled = compile(pattern);
  return compiled instanceof RE2JS ? compiled.matches(text) : undefined;
}

function compile(pattern: string): RE2JS | { readonly error: unknown } {
  let compiled = compiledPatterns.get(pattern);
  if (compiled) return compiled;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    compiled = { error };
  }
  remember(compiledPatterns, pattern, compiled);
  return compiled;
}

// Patterns come from mesh files, so the caches stay small; the limit only guards long-lived users.
function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

function measure(pattern: string): Re2Check {
  const compiled = compile(pattern);
  if (!(compiled instanceof RE2JS)) return { valid: false, reason: describeSyntaxError(compiled.error) };
  const program = programOf(compiled);
  return { valid: true, programSize: program ? estimateEnvoyProgramSize(program) : compiled.programSize() };
}

function describeSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.replace(/^error parsing regexp:\s*/, '');
  // RE2 guarantees linear time, so it has none of the backtracking features people reach for.
  if (/\(\?[=!<]|\\[1-9]/.test(reason)) return `${reason} (RE2 has no lookaround and no backreferences)`;
  return reason;
}

// ---------------------------------------------------------------------------------------------
// The re2js program, read through its (untyped) compiled form.

const Op = {
  Alt: 1,
  AltMatch: 2,
  Capture: 3,
  EmptyWidth: 4,
  Fail: 5,
  Match: 6,
  Nop: 7,
  Rune: 8,
  Rune1: 9,
  RuneAny: 10,
  RuneAnyNotNl: 11,
} as const;

const FOLD_CASE = 1;
const EMPTY_BEGIN_TEXT = 4;
const EMPTY_END_TEXT = 8;

interface Instruction {
  readonly op: number;
  readonly out: number;
  readonly arg: number;
  readonly runes: ArrayLike<number>;
}

interface Program {
  readonly inst: readonly Instruction[];
  readonly start: number;
}

function programOf(compiled: RE2JS): Program | undefined {
  if (!understoodProgramLayout()) return undefined;
  const program = (compiled as unknown as { re2Input?: { prog?: Partial<Program> } }).re2Input?.prog;
  if (!program || !Array.isArray(program.inst) || typeof program.start !== 'number') return undefined;
  return program as Program;
}

let layoutUnderstood: boolean | undefined;

/**
 * The compiled form is re2js's internal: check once that it still reads as expected ("a" is
 * fail, rune, match), and fall back to re2js's own program size if a new version changed it.
 */
function understoodProgramLayout(): boolean {
  if (layoutUnderstood === undefined) {
    const probe = (RE2JS.compile('a') as unknown as { re2Input?: { prog?: { inst?: { op?: number }[] } } }).re2Input?.prog?.inst;
    layoutUnderstood = probe?.map((instruction) => instruction.op).join() === [Op.Fail, Op.Rune1, Op.Match].join();
  }
  return layoutUnderstood;
}

function estimateEnvoyProgramSize(program: Program): number {
  const { inst, start } = program;
  const referrers = countReferrers(inst, start);
  const literalPrefix = requiredLiteralPrefix(inst, start, referrers);
  // RE2 matches a literal prefix after ^ with memcmp and runs the rest unanchored. Whether RE2
  // sees the prefix depends on how it parsed the pattern, so count the cheaper of the two forms.
  let size = isBeginText(inst[start]) ? Math.min(UNANCHORED_PREFIX_SIZE, sizeOf(inst, literalPrefix)) : UNANCHORED_PREFIX_SIZE;

  // A repeated class ({1,50}) compiles to many copies of one instruction: size each class once.
  const classSizes = new Map<string, number>();
  const classSize = (instruction: Instruction) => {
    const key = `${instruction.op}:${instruction.arg & FOLD_CASE}:${Array.prototype.join.call(instruction.runes, ',')}`;
    let size = classSizes.get(key);
    if (size === undefined) classSizes.set(key, (size = runeInstructionSize(instruction)));
    return size;
  };

  const alternations: number[] = [];
  for (let index = 0; index < inst.length; index++) {
    const instruction = inst[index]!;
    switch (instruction.op) {
      case Op.Fail:
      case Op.Match:
      case Op.Capture:
        size += 1;
        break;
      case Op.Nop:
      case Op.AltMatch:
        break;
      case Op.Alt:
        alternations.push(index);
        break;
      case Op.EmptyWidth: {
        const leadingAnchor = index === start && isBeginText(instruction);
        const trailingAnchor = (instruction.arg & EMPTY_END_TEXT) !== 0 && inst[instruction.out]?.op === Op.Match;
        size += leadingAnchor || trailingAnchor ? 0 : 1;
        break;
      }
      default:
        if (!literalPrefix.has(index)) size += classSize(instruction);
    }
  }
  // Telling loops and optional parts from plain alternations walks the program once per
  // alternation; a program already far over any limit does not need the last few instructions.
  if (size > ALTERNATION_ANALYSIS_LIMIT) return size;
  for (const index of alternations) size += altSurvivesFlattening(inst, index, referrers) ? 1 : 0;
  return size;
}

const ALTERNATION_ANALYSIS_LIMIT = 10 * ENVOY_MAX_PROGRAM_SIZE;

function sizeOf(inst: readonly Instruction[], indexes: ReadonlySet<number>): number {
  let size = 0;
  for (const index of indexes) size += runeInstructionSize(inst[index]!);
  return size;
}

/** The `.*?` loop RE2 puts before an unanchored program: an alternation and a byte range. */
const UNANCHORED_PREFIX_SIZE = 2;

function isBeginText(instruction: Instruction | undefined): boolean {
  return instruction?.op === Op.EmptyWidth && (instruction.arg & EMPTY_BEGIN_TEXT) !== 0;
}

function countReferrers(inst: readonly Instruction[], start: number): number[] {
  const counts = new Array<number>(inst.length).fill(0);
  counts[start] = (counts[start] ?? 0) + 1;
  for (const instruction of inst) {
    if (instruction.op === Op.Fail || instruction.op === Op.Match) continue;
    counts[instruction.out] = (counts[instruction.out] ?? 0) + 1;
    if (instruction.op === Op.Alt || instruction.op === Op.AltMatch) counts[instruction.arg] = (counts[instruction.arg] ?? 0) + 1;
  }
  return counts;
}

/** The literal runes right after a leading ^ that nothing else jumps into. */
function requiredLiteralPrefix(inst: readonly Instruction[], start: number, referrers: readonly number[]): Set<number> {
  const prefix = new Set<number>();
  if (!isBeginText(inst[start])) return prefix;
  let index = inst[start]!.out;
  while (referrers[index] === 1 && isLiteralRune(inst[index]) && !prefix.has(index)) {
    prefix.add(index);
    index = inst[index]!.out;
  }
  return prefix;
}

function isLiteralRune(instruction: Instruction | undefined): boolean {
  return instruction?.op === Op.Rune1 || (instruction?.op === Op.Rune && instruction.runes.length === 1);
}

/**
 * RE2's flattening removes alternations, except that a loop entered through its body (x+) and an
 * optional part (x?) each keep one instruction. Plain alternations (a|b) and x* cost nothing.
 */
function altSurvivesFlattening(inst: readonly Instruction[], index: number, referrers: readonly number[]): boolean {
  const { out, arg } = inst[index]!;
  const loopBody = reaches(inst, out, index, index) ? out : reaches(inst, arg, index, index) ? arg : undefined;
  if (loopBody !== undefined) return (referrers[loopBody] ?? 0) >= 2;
  // x? is an alternation whose one branch runs into the other; a|b never does.
  return reaches(inst, out, arg, index) || reaches(inst, arg, out, index);
}

/** Whether `to` can be reached from `from` without passing through `avoid` (a bounded walk). */
function reaches(inst: readonly Instruction[], from: number, to: number, avoid: number): boolean {
  const seen = new Set<number>();
  const pending = [from];
  while (pending.length > 0 && seen.size < 4096) {
    const index = pending.pop()!;
    if (index === to) return true;
    if (index === avoid || seen.has(index) || index <= 0 || index >= inst.length) continue;
    seen.add(index);
    const instruction = inst[index]!;
    if (instruction.op === Op.Match || instruction.op === Op.Fail) continue;
    pending.push(instruction.out);
    if (instruction.op === Op.Alt || instruction.op === Op.AltMatch) pending.push(instruction.arg);
  }
  return false;
}

function runeInstructionSize(instruction: Instruction): number {
  const runes = Array.from(instruction.runes);
  switch (instruction.op) {
    case Op.RuneAny:
      return utf8ClassSize([0, MAX_RUNE]);
    case Op.RuneAnyNotNl:
      return utf8ClassSize([0, 0x09, 0x0b, MAX_RUNE]);
    case Op.Rune1:
      return utf8Length(runes[0] ?? 0);
    default:
      if (runes.length === 1) return (instruction.arg & FOLD_CASE) !== 0 ? foldedRuneSize(runes[0]!) : utf8Length(runes[0]!);
      return utf8ClassSize(runes);
  }
}

/** ASCII letters whose case folding reaches outside ASCII: K (KELVIN SIGN) and S (LONG S). */
const NON_ASCII_FOLDS: Readonly<Record<number, number>> = { 0x4b: 0x212a, 0x6b: 0x212a, 0x53: 0x17f, 0x73: 0x17f };

/**
 * RE2 compiles a case-insensitive letter to one case-folding byte range when its folds are the
 * ASCII pair, and to a class of all its folds otherwise.
 */
function foldedRuneSize(rune: number): number {
  const folds = new Set<number>([rune]);
  for (const variant of [String.fromCodePoint(rune).toLowerCase(), String.fromCodePoint(rune).toUpperCase()]) {
    const point = variant.codePointAt(0);
    if (point !== undefined && String.fromCodePoint(point) === variant) folds.add(point);
  }
  const extra = NON_ASCII_FOLDS[rune];
  if (extra !== undefined) folds.add(extra);
  if ([...folds].every((point) => point < 0x80)) return 1;
  const sorted = [...folds].sort((a, b) => a - b);
  return utf8ClassSize(sorted.flatMap((point) => [point, point]));
}

// ---------------------------------------------------------------------------------------------
// RE2's UTF-8 range compiler (re2/compile.cc, forward mode), counting byte-range instructions.

const MAX_RUNE = 0x10ffff;
const RUNE_SELF = 0x80;

function utf8Length(rune: number): number {
  return rune < 0x80 ? 1 : rune < 0x800 ? 2 : rune < 0x10000 ? 3 : 4;
}

/** UTF-8 bytes as RE2's runetochar writes them (surrogate code points included). */
function utf8Bytes(rune: number): number[] {
  if (rune < 0x80) return [rune];
  if (rune < 0x800) return [0xc0 | (rune >> 6), 0x80 | (rune & 0x3f)];
  if (rune < 0x10000) return [0xe0 | (rune >> 12), 0x80 | ((rune >> 6) & 0x3f), 0x80 | (rune & 0x3f)];
  return [0xf0 | (rune >> 18), 0x80 | ((rune >> 12) & 0x3f), 0x80 | ((rune >> 6) & 0x3f), 0x80 | (rune & 0x3f)];
}

function maxRuneOfLength(length: number): number {
  return length === 1 ? 0x7f : (1 << (8 - (length + 1) + 6 * (length - 1))) - 1;
}

/** Size of the byte program for a class given as sorted [lo, hi, lo, hi, ...] rune ranges. */
function utf8ClassSize(ranges: readonly number[]): number {
  const builder = new ByteRangeBuilder();
  const contains = (rune: number) => {
    for (let i = 0; i + 1 < ranges.length; i += 2) if (ranges[i]! <= rune && rune <= ranges[i + 1]!) return true;
    return false;
  };
  // RE2 drops A-Z from a class that treats A-Z and a-z alike and folds case on a-z instead.
  let foldsAscii = true;
  for (let upper = 0x41; upper <= 0x5a && foldsAscii; upper++) foldsAscii = contains(upper) === contains(upper + 0x20);
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    const lo = ranges[i]!;
    const hi = ranges[i + 1]!;
    if (foldsAscii && 0x41 <= lo && hi <= 0x5a) continue;
    const fold = foldsAscii && !((lo <= 0x41 && 0x7a <= hi) || hi < 0x41 || 0x7a < lo || (0x5a < lo && hi < 0x61));
    builder.addRuneRange(lo, hi, fold);
  }
  return builder.flattenedSize();
}

type BuilderInstruction = { kind: 'byte'; lo: number; hi: number; fold: boolean; out: number } | { kind: 'alt'; out: number; out1: number };

class ByteRangeBuilder {
  // Index 0 is "no instruction", as in RE2 where instruction 0 is the fail instruction.
  private readonly inst: (BuilderInstruction | undefined)[] = [undefined];
  private readonly cache = new Map<string, number>();
  private root = 0;

  addRuneRange(lo: number, hi: number, fold: boolean): void {
    if (lo > hi) return;
    if (lo === RUNE_SELF && hi === MAX_RUNE) {
      this.add80To10ffff();
      return;
    }
    for (let length = 1; length < 4; length++) {
      const max = maxRuneOfLength(length);
      if (lo <= max && max < hi) {
        this.addRuneRange(lo, max, fold);
        this.addRuneRange(max + 1, hi, fold);
        return;
      }
    }
    if (hi < RUNE_SELF) {
      this.addSuffix(this.uncached(lo, hi, fold, 0));
      return;
    }
    for (let i = 1; i < 4; i++) {
      const mask = (1 << (6 * i)) - 1;
      if ((lo & ~mask) !== (hi & ~mask)) {
        if ((lo & mask) !== 0) {
          this.addRuneRange(lo, lo | mask, fold);
          this.addRuneRange((lo | mask) + 1, hi, fold);
          return;
        }
        if ((hi & mask) !== mask) {
          this.addRuneRange(lo, (hi & ~mask) - 1, fold);
          this.addRuneRange(hi & ~mask, hi, fold);
          return;
        }
      }
    }
    const low = utf8Bytes(lo);
    const high = utf8Bytes(hi);
    let id = 0;
    for (let i = low.length - 1; i >= 0; i--) {
      const cacheable = i === low.length - 1 || (low[i]! < high[i]! && i !== 0);
      id = cacheable ? this.cached(low[i]!, high[i]!, false, id) : this.uncached(low[i]!, high[i]!, false, id);
    }
    this.addSuffix(id);
  }

  /**
   * The size after RE2's flattening: alternations disappear and every instruction that a byte range
   * jumps to starts a list of the byte ranges its alternations lead to, so a shared continuation
   * byte is counted once per list it appears in.
   */
  flattenedSize(): number {
    const lists = [this.root];
    const listed = new Set(lists);
    let size = 0;
    for (let i = 0; i < lists.length; i++) {
      for (const id of this.byteRangesOf(lists[i]!)) {
        size++;
        const next = (this.inst[id] as Extract<BuilderInstruction, { kind: 'byte' }>).out;
        if (next !== 0 && !listed.has(next)) {
          listed.add(next);
          lists.push(next);
        }
      }
    }
    return size;
  }

  private byteRangesOf(root: number): Set<number> {
    const found = new Set<number>();
    const pending = [root];
    const seen = new Set<number>();
    while (pending.length > 0) {
      const id = pending.pop()!;
      if (id === 0 || seen.has(id)) continue;
      seen.add(id);
      const instruction = this.inst[id];
      if (instruction?.kind === 'byte') found.add(id);
      else if (instruction) pending.push(instruction.out1, instruction.out);
    }
    return found;
  }

  // Newer RE2 permits overlong and past-10FFFF encodings here to keep `.` at six instructions.
  private add80To10ffff(): void {
    const cont1 = this.uncached(0x80, 0xbf, false, 0);
    this.addSuffix(this.uncached(0xc2, 0xdf, false, cont1));
    const cont2 = this.uncached(0x80, 0xbf, false, cont1);
    this.addSuffix(this.uncached(0xe0, 0xef, false, cont2));
    const cont3 = this.uncached(0x80, 0xbf, false, cont2);
    this.addSuffix(this.uncached(0xf0, 0xf4, false, cont3));
  }

  private uncached(lo: number, hi: number, fold: boolean, next: number): number {
    this.inst.push({ kind: 'byte', lo, hi, fold, out: next });
    return this.inst.length - 1;
  }

  private cached(lo: number, hi: number, fold: boolean, next: number): number {
    const key = `${lo},${hi},${fold},${next}`;
    const existing = this.cache.get(key);
    if (existing !== undefined) return existing;
    const id = this.uncached(lo, hi, fold, next);
    this.cache.set(key, id);
    return id;
  }

  private isCached(id: number): boolean {
    const instruction = this.inst[id];
    return instruction?.kind === 'byte' && this.cache.has(`${instruction.lo},${instruction.hi},${instruction.fold},${instruction.out}`);
  }

  private addSuffix(id: number): void {
    this.root = this.root === 0 ? id : this.addSuffixRecursive(this.root, id);
  }

  // Merges a new suffix into the trie of leading bytes, cloning cached heads it has to change.
  private addSuffixRecursive(root: number, id: number): number {
    if (root === 0) return id;
    const found = this.findByteRange(root, id);
    if (!found) {
      this.inst.push({ kind: 'alt', out: root, out1: id });
      return this.inst.length - 1;
    }
    let byteRange = found.id;
    if (this.isCached(byteRange)) {
      const original = this.inst[byteRange] as Extract<BuilderInstruction, { kind: 'byte' }>;
      byteRange = this.uncached(original.lo, original.hi, original.fold, original.out);
      if (found.parent === undefined) root = byteRange;
      else (this.inst[found.parent] as Extract<BuilderInstruction, { kind: 'alt' }>).out1 = byteRange;
    }
    const next = (this.inst[id] as Extract<BuilderInstruction, { kind: 'byte' }>).out;
    if (!this.isCached(id)) this.inst[id] = undefined;
    const target = this.inst[byteRange] as Extract<BuilderInstruction, { kind: 'byte' }>;
    target.out = this.addSuffixRecursive(target.out, next);
    return root;
  }

  /** In forward mode only the root, or the most recent branch of the root alternation, can merge. */
  private findByteRange(root: number, id: number): { id: number; parent?: number } | undefined {
    const candidate = this.inst[root];
    if (candidate?.kind === 'byte') return this.sameRange(root, id) ? { id: root } : undefined;
    if (candidate?.kind === 'alt' && this.sameRange(candidate.out1, id)) return { id: candidate.out1, parent: root };
    return undefined;
  }

  private sameRange(a: number, b: number): boolean {
    const x = this.inst[a];
    const y = this.inst[b];
    return x?.kind === 'byte' && y?.kind === 'byte' && x.lo === y.lo && x.hi === y.hi && x.fold === y.fold;
  }
}
