// The directory file names are relative to (src/loader/display-root.ts), decided from the mesh paths
// alone: the git repository root holding them, else the path given (a file's directory; the
// directory several paths share).
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayRootFor } from '../src/loader/display-root.js';

let scratch = '';
beforeAll(() => {
  scratch = realpathSync(mkdtempSync(path.join(tmpdir(), 'meshctl-display-root-')));
  mkdirSync(path.join(scratch, 'repo', '.git'), { recursive: true });
  mkdirSync(path.join(scratch, 'repo', 'deploy', 'mesh'), { recursive: true });
  writeFileSync(path.join(scratch, 'repo', 'deploy', 'mesh', 'a.yaml'), '');
  // A worktree's .git is a file.
  mkdirSync(path.join(scratch, 'worktree', 'mesh'), { recursive: true });
  writeFileSync(path.join(scratch, 'worktree', '.git'), 'gitdir: /elsewhere\n');
  mkdirSync(path.join(scratch, 'plain', 'one'), { recursive: true });
  mkdirSync(path.join(scratch, 'plain', 'two'), { recursive: true });
  writeFileSync(path.join(scratch, 'plain', 'one', 'a.yaml'), '');
  symlinkSync(path.join(scratch, 'repo', 'deploy'), path.join(scratch, 'link'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the display root', () => {
  it('is the repository root for a mesh inside git, from any current directory', () => {
    const root = path.join(scratch, 'repo');
    expect(displayRootFor(['deploy/mesh'], root)).toBe(root);
    expect(displayRootFor(['.'], path.join(root, 'deploy', 'mesh'))).toBe(root);
    expect(displayRootFor([path.join(root, 'deploy', 'mesh', 'a.yaml')], '/')).toBe(root);
    expect(displayRootFor(['mesh'], path.join(scratch, 'worktree'))).toBe(path.join(scratch, 'worktree'));
    // Reached through a symbolic link: the real repository.
    expect(displayRootFor([path.join(scratch, 'link', 'mesh')], '/')).toBe(root);
  });

  it('is the mesh path given outside git: the directory, a file\'s directory, or the directory several share', () => {
    const plain = path.join(scratch, 'plain');
    expect(displayRootFor(['one'], plain)).toBe(path.join(plain, 'one'));
    expect(displayRootFor([path.join(plain, 'one', 'a.yaml')], '/')).toBe(path.join(plain, 'one'));
    expect(displayRootFor(['one', 'two'], plain)).toBe(plain);
    expect(displayRootFor(['one', '-'], plain)).toBe(path.join(plain, 'one'));
    expect(displayRootFor(['-'], plain)).toBe(plain);
  });
});
