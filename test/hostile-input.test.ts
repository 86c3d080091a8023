// meshctl reads untrusted YAML from pull requests (README, "Input safety"). Each hostile input here
// must end in a located diagnostic (file and line:col), the documented exit code, no stack trace,
// and within 2 seconds: a requirement on every input, not a benchmark.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_TRACE, parseStylish, position, runCli, STACK_TRACE, type CliRun } from './helpers/run-cli.js';

const SERVICE_HEAD = 'apiVersion: meshctl.dev/v1alpha1\nkind: Service\n';
const PORTS = 'spec:\n  ports: [{port: 9080, protocol: http}]\n';

interface Expected {
  file: string;
  line: number;
  column: number;
  code: string;
}

interface HostileCase {
  name: string;
  /** Creates the input in `dir` (the working directory of the run) and returns the arguments. */
  setup(dir: string): { args: string[]; input?: Buffer; expect: Expected[] };
  exit: 1 | 2;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'meshctl-hostile-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});


const cases: HostileCase[] = [
  {
    name: 'invalid YAML: a stray closing bracket',
    exit: 1,
    setup(dir) {
      const text = `${SERVICE_HEAD}metadata: {name: reviews, namespace: shop}\n${PORTS}  versions:\n    v1: {labels: {version: v1}}]\n`;
      writeFileSync(path.join(dir, 'syntax.yaml'), text);
      return { args: ['syntax.yaml'], expect: [{ file: 'syntax.yaml', ...position(text, 'v1}}]', 4), code: 'MESH001' }] };
    },
  },
  {
    name: 'invalid YAML: an unclosed quote, located at the quote that opens it',
    exit: 1,
    setup(dir) {
      const text = `${SERVICE_HEAD}metadata:\n  name: "reviews\n  namespace: shop\n${PORTS}`;
      writeFileSync(path.join(dir, 'quote.yaml'), text);
      return { args: ['quote.yaml'], expect: [{ file: 'quote.yaml', ...position(text, '"reviews'), code: 'MESH001' }] };
    },
  },
  {
    name: 'duplicate keys',
    exit: 1,
    setup(dir) {
      const text = `${SERVICE_HEAD}metadata: {name: reviews, namespace: shop}\n${PORTS}  routes:\n    - match: {path: /}\n      timeout: 2s\n      timeout: 10s\n`;
      writeFileSync(path.join(dir, 'dup.yaml'), text);
      return { args: ['dup.yaml'], expect: [{ file: 'dup.yaml', ...position(text, 'timeout: 10s'), code: 'MESH002' }] };
    },
  },
  {
    name: 'tab indentation',
    exit: 1,
    setup(dir) {
      const text = `${SERVICE_HEAD}metadata:\n  name: reviews\n\tnamespace: shop\n${PORTS}`;
      writeFileSync(path.join(dir, 'tabs.yaml'), text);
      return { args: ['tabs.yaml'], expect: [{ file: 'tabs.yaml', ...position(text, '\t'), code: 'MESH003' }] };
    },
  },
  {
    name: 'a byte that is not UTF-8 (Latin-1 é)',
    exit: 1,
    setup(dir) {
      const bytes = Buffer.concat([Buffer.from(`${SERVICE_HEAD}metadata: {name: reviews, namespace: shop}\n# the r`), Buffer.from([0xe9]), Buffer.from(`views service\n${PORTS}`)]);
      writeFileSync(path.join(dir, 'latin1.yaml'), bytes);
      return { args: ['latin1.yaml'], expect: [{ file: 'latin1.yaml', line: 4, column: 8, code: 'MESH004' }] };
    },
  },
  {
    name: 'UTF-16 with a byte order mark',
    exit: 1,
    setup(dir) {
      const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${SERVICE_HEAD}metadata: {name: reviews}\n${PORTS}`, 'utf16le')]);
      writeFileSync(path.join(dir, 'utf16.yaml'), bytes);
      return { args: ['utf16.yaml'], expect: [{ file: 'utf16.yaml', line: 1, column: 1, code: 'MESH004' }] };
    },
  },
  {
    name: 'a NUL byte',
    exit: 1,
    setup(dir) {
      const text = `${SERVICE_HEAD}metadata: {name: reviews\0, namespace: shop}\n${PORTS}`;
      writeFileSync(path.join(dir, 'nul.yaml'), text);
      return { args: ['nul.yaml'], expect: [{ file: 'nul.yaml', ...position(text, '\0'), code: 'MESH004' }] };
    },
  },
  {
    name: 'a YAML tag that would run a command if resolved',
    exit: 1,
    setup(dir) {
      const text = `${SERVICE_HEAD}metadata:\n  name: !!python/object/apply:os.system ["echo pwned > ${path.join(dir, 'pwned')}"]\n  namespace: shop\n${PORTS}`;
      writeFileSync(path.join(dir, 'tag.yaml'), text);
      return { args: ['tag.yaml'], expect: [{ file: 'tag.yaml', ...position(text, '!!python'), code: 'MESH005' }] };
    },
  },
  {
    name: 'an alias bomb (billion laughs, 9 levels)',
    exit: 1,
    setup(dir) {
      const text = `${SERVICE_HEAD}metadata:\n  name: reviews\n  annotations:\n${billionLaughs('    ')}${PORTS}`;
      writeFileSync(path.join(dir, 'bomb.yaml'), text);
      // 9 aliases of *a and 81 of *b make 90 expansions; the first *c takes the count past 100.
      return { args: ['bomb.yaml'], expect: [{ file: 'bomb.yaml', ...position(text, '*c'), code: 'MESH006' }] };
    },
  },
  {
    name: 'deep nesting (10,000 "[")',
    exit: 1,
    setup(dir) {
      writeFileSync(path.join(dir, 'deep.yaml'), '['.repeat(10_000));
      return { args: ['deep.yaml'], expect: [{ file: 'deep.yaml', line: 1, column: 65, code: 'MESH007' }] };
    },
  },
  {
    name: 'deep nesting of block lists on one line',
    exit: 1,
    setup(dir) {
      writeFileSync(path.join(dir, 'dashes.yaml'), `${'- '.repeat(5000)}x\n`);
      return { args: ['dashes.yaml'], expect: [{ file: 'dashes.yaml', line: 1, column: 129, code: 'MESH007' }] };
    },
  },
  {
    name: 'a file over the 32 MiB limit',
    exit: 1,
    setup(dir) {
      writeFileSync(path.join(dir, 'huge.yaml'), Buffer.alloc(32 * 1024 * 1024 + 4096, 'a: b\n'));
      return { args: ['huge.yaml'], expect: [{ file: 'huge.yaml', line: 1, column: 1, code: 'MESH008' }] };
    },
  },
  {
    name: 'a line over the 16 KiB limit',
    exit: 1,
    setup(dir) {
      const text = `${SERVICE_HEAD}metadata:\n  name: reviews\n  annotations: {note: "${'x'.repeat(17_000)}"}\n${PORTS}`;
      writeFileSync(path.join(dir, 'long.yaml'), text);
      return { args: ['long.yaml'], expect: [{ file: 'long.yaml', line: 5, column: 1, code: 'MESH008' }] };
    },
  },
  {
    name: 'an empty file',
    exit: 1,
    setup(dir) {
      writeFileSync(path.join(dir, 'empty.yaml'), '');
      return { args: ['empty.yaml'], expect: [{ file: 'empty.yaml', line: 1, column: 1, code: 'MESH009' }] };
    },
  },
  {
    name: 'a directory with no mesh files',
    exit: 2,
    setup(dir) {
      mkdirSync(path.join(dir, 'docs'));
      writeFileSync(path.join(dir, 'docs', 'README.md'), '# mesh\n');
      writeFileSync(path.join(dir, 'docs', 'reviews.json'), '{}\n');
      return { args: ['docs'], expect: [{ file: 'docs', line: 1, column: 1, code: 'MESH014' }] };
    },
  },
  {
    name: 'a path that does not exist',
    exit: 2,
    setup() {
      return { args: ['nowhere/reviews.yaml'], expect: [{ file: 'nowhere/reviews.yaml', line: 1, column: 1, code: 'MESH012' }] };
    },
  },
  {
    name: 'a FIFO named like a mesh file (reading it would block)',
    exit: 2,
    setup(dir) {
      execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
      return { args: ['pipe.yaml'], expect: [{ file: 'pipe.yaml', line: 1, column: 1, code: 'MESH013' }] };
    },
  },
  {
    name: 'a FIFO named like a mesh file inside a directory',
    exit: 2,
    setup(dir) {
      mkdirSync(path.join(dir, 'mesh'));
      execFileSync('mkfifo', [path.join(dir, 'mesh', 'pipe.yaml')]);
      return {
        args: ['mesh'],
        expect: [
          { file: 'pipe.yaml', line: 1, column: 1, code: 'MESH013' },
          { file: 'mesh', line: 1, column: 1, code: 'MESH014' },
        ],
      };
    },
  },
  {
    name: 'a directory named x.yaml',
    exit: 2,
    setup(dir) {
      mkdirSync(path.join(dir, 'x.yaml'));
      return { args: ['x.yaml'], expect: [{ file: 'x.yaml', line: 1, column: 1, code: 'MESH014' }] };
    },
  },
  {
    name: 'a dangling symbolic link',
    exit: 2,
    setup(dir) {
      symlinkSync('gone-target.yaml', path.join(dir, 'gone.yaml'));
      return { args: ['gone.yaml'], expect: [{ file: 'gone.yaml', line: 1, column: 1, code: 'MESH013' }] };
    },
  },
  {
    name: 'a dangling symbolic link inside a directory',
    exit: 2,
    setup(dir) {
      mkdirSync(path.join(dir, 'mesh'));
      writeFileSync(path.join(dir, 'mesh', 'empty.yaml'), '');
      symlinkSync('gone-target.yaml', path.join(dir, 'mesh', 'gone.yaml'));
      return {
        args: ['mesh'],
        expect: [
          { file: 'empty.yaml', line: 1, column: 1, code: 'MESH009' },
          { file: 'gone.yaml', line: 1, column: 1, code: 'MESH013' },
        ],
      };
    },
  },
  {
    name: 'a symbolic link that points at itself',
    exit: 2,
    setup(dir) {
      symlinkSync('self.yaml', path.join(dir, 'self.yaml'));
      return { args: ['self.yaml'], expect: [{ file: 'self.yaml', line: 1, column: 1, code: 'MESH013' }] };
    },
  },
  {
    name: 'a symbolic link loop back to a parent directory',
    exit: 1,
    setup(dir) {
      mkdirSync(path.join(dir, 'mesh', 'teams'), { recursive: true });
      writeFileSync(path.join(dir, 'mesh', 'teams', 'empty.yaml'), '# nothing yet\n');
      symlinkSync('..', path.join(dir, 'mesh', 'teams', 'all'));
      return {
        args: ['mesh'],
        expect: [
          { file: 'teams/all', line: 1, column: 1, code: 'MESH015' },
          { file: 'teams/empty.yaml', line: 1, column: 1, code: 'MESH009' },
        ],
      };
    },
  },
  {
    name: 'a scalar document',
    exit: 1,
    setup(dir) {
      writeFileSync(path.join(dir, 'scalar.yaml'), '# a note\nreviews\n');
      return { args: ['scalar.yaml'], expect: [{ file: 'scalar.yaml', line: 2, column: 1, code: 'MESH010' }] };
    },
  },
  {
    name: 'a list document',
    exit: 1,
    setup(dir) {
      writeFileSync(path.join(dir, 'list.yaml'), '- reviews\n- ratings\n');
      return { args: ['list.yaml'], expect: [{ file: 'list.yaml', line: 1, column: 1, code: 'MESH010' }] };
    },
  },
  {
    name: "another tool's YAML: an Istio VirtualService",
    exit: 1,
    setup(dir) {
      const text = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n';
      writeFileSync(path.join(dir, 'vs.yaml'), text);
      return { args: ['vs.yaml'], expect: [{ file: 'vs.yaml', ...position(text, 'networking'), code: 'MESH011' }] };
    },
  },
  {
    name: "another tool's YAML: a GitHub Actions workflow",
    exit: 1,
    setup(dir) {
      writeFileSync(path.join(dir, 'ci.yml'), 'name: ci\non: [push]\njobs:\n  test: {runs-on: ubuntu-latest, steps: [{run: npm test}]}\n');
      return {
        args: ['ci.yml'],
        expect: [
          { file: 'ci.yml', line: 1, column: 1, code: 'MESH102' },
          { file: 'ci.yml', line: 1, column: 1, code: 'MESH102' },
        ],
      };
    },
  },
  {
    name: 'an alias bomb on standard input',
    exit: 1,
    setup() {
      const text = `${SERVICE_HEAD}metadata:\n  name: reviews\n  annotations:\n${billionLaughs('    ')}${PORTS}`;
      return { args: ['-'], input: Buffer.from(text), expect: [{ file: '<stdin>', ...position(text, '*c'), code: 'MESH006' }] };
    },
  },
];

function billionLaughs(indent: string): string {
  const names = 'abcdefghi';
  const lines = [`${indent}a: &a [${Array(9).fill('lol').join(', ')}]`];
  for (let i = 1; i < names.length; i++) lines.push(`${indent}${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

describe.each(cases)('$name', ({ name, setup, exit }) => {
  let run: CliRun;
  let expected: Expected[];

  beforeAll(() => {
    const dir = path.join(root, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(dir);
    const { args, input, expect: wanted } = setup(dir);
    expected = wanted;
    run = runCli(['validate', ...args], { cwd: dir, ...(input ? { input } : {}) });
  });

  it(`exits with ${exit}`, () => {
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stdout + run.stderr).toBe(exit);
  });

  it('reports exactly the expected codes, each under its file with a line:col', () => {
    const actual = parseStylish(run.stdout).map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`);
    expect(actual.sort(), run.stdout).toEqual(expected.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`).sort());
  });

  it('prints no stack trace and nothing on stderr', () => {
    for (const stream of [run.stdout, run.stderr]) {
      expect(stream).not.toMatch(STACK_TRACE);
      expect(stream).not.toMatch(ERROR_TRACE);
    }
    expect(run.stderr).toBe('');
  });

  // The bound is on meshctl's own CPU time, which a machine busy with other test files does not
  // inflate; wall time gets a looser bound that still catches a hang.
  it('finishes in under 2 seconds of CPU time (and 10 s of wall time)', () => {
    expect(run.cpuMs).toBeLessThan(2000);
    expect(run.elapsedMs).toBeLessThan(10_000);
  });
});

describe('a YAML tag is never resolved', () => {
  it('the command of a !!python/object/apply tag does not run, from a file or standard input', () => {
    const dir = path.join(root, 'tag-side-effect');
    mkdirSync(dir);
    const marker = path.join(dir, 'pwned');
    const text = `${SERVICE_HEAD}metadata: {name: !!python/object/apply:os.system ["echo pwned > ${marker}"], namespace: shop}\n${PORTS}`;
    writeFileSync(path.join(dir, 'tag.yaml'), text);
    const where = position(text, '!!python');
    for (const [args, input, file] of [[['tag.yaml'], '', 'tag.yaml'], [['-'], text, '<stdin>']] as const) {
      const run = runCli(['validate', ...args], { cwd: dir, input });
      expect(run.status, run.stdout + run.stderr).toBe(1);
      expect(parseStylish(run.stdout).map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([`${file}:${where.line}:${where.column} MESH005`]);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
