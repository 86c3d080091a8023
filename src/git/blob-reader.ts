// Reads many blobs out of git's object database through one `git cat-file --batch` process: one
// process for a whole mesh rather than one `git show` per file (a 1,000-file mesh would otherwise
// start 1,000 processes).
import { spawn } from 'node:child_process';
import { GitReadError, gitEnvironment } from './repository.js';

/** The contents of the given blobs, keyed by object id. */
export function readBlobs(root: string, objectIds: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(objectIds)];
  if (unique.length === 0) return Promise.resolve(new Map());
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd: root,
      env: gitEnvironment(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const parser = new BatchParser();
    const stderr: Buffer[] = [];
    let failure: Error | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (error) {
        failure ??= error as Error;
        child.kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new GitReadError(`cannot run git cat-file: ${error.message}`)));
    child.on('close', (code) => {
      if (failure) return reject(failure);
      if (code !== 0) return reject(new GitReadError(`git cat-file failed: ${Buffer.concat(stderr).toString('utf8').trim() || `exit ${code}`}`));
      const missing = unique.find((id) => !parser.blobs.has(id));
      if (missing) return reject(new GitReadError(`git object ${missing} is missing from the repository`));
      resolve(parser.blobs);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(unique.map((id) => `${id}\n`).join(''));
  });
}

/** Parses `<oid> <type> <size>\n<content>\n` records (and `<oid> missing\n`) as they stream in. */
class BatchParser {
  readonly blobs = new Map<string, Buffer>();
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline === -1) return;
      const header = this.buffer.subarray(0, newline).toString('utf8').split(' ');
      if (header[1] === 'missing') {
        this.buffer = this.buffer.subarray(newline + 1);
        continue;
      }
      const [id, type, sizeText] = header;
      const size = Number(sizeText);
      if (!id || type === undefined || !Number.isSafeInteger(size)) throw new GitReadError(`unexpected output from git cat-file: ${header.join(' ')}`);
      // The record is complete once its content and the newline after it have arrived.
      if (this.buffer.length < newline + 1 + size + 1) return;
      if (type === 'blob') this.blobs.set(id, Buffer.from(this.buffer.subarray(newline + 1, newline + 1 + size)));
      this.buffer = this.buffer.subarray(newline + 1 + size + 1);
    }
  }
}
