// Mesh certificates for the mutual-TLS traffic tests, made at test time with the openssl CLI: a
// CA and, per workload identity, a leaf certificate whose URI SAN is the identity's SPIFFE ID
// (spiffe://<trust domain>/ns/<namespace>/sa/<service account>), as Istio's CA issues them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface MeshIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface IssuedCertificate {
  readonly spiffeId: string;
  /** PEM certificate of the leaf. */
  readonly certPath: string;
  /** PEM private key of the leaf. */
  readonly keyPath: string;
}

export interface MeshCertificates {
  readonly caCertPath: string;
  readonly trustDomain: string;
  /** By "<namespace>/<serviceAccount>". */
  readonly byIdentity: ReadonlyMap<string, IssuedCertificate>;
  /** The certificate of one identity; throws for an identity not issued. */
  get(namespace: string, serviceAccount: string): IssuedCertificate;
}

export function spiffeId(trustDomain: string, identity: MeshIdentity): string {
  return `spiffe://${trustDomain}/ns/${identity.namespace}/sa/${identity.serviceAccount}`;
}

let openssl: string | undefined;

function opensslBinary(): string {
  if (openssl === undefined) {
    try {
      execFileSync('openssl', ['version'], { stdio: 'pipe' });
    } catch {
      throw new Error('the openssl command is needed to make test certificates and was not found on PATH');
    }
    openssl = 'openssl';
  }
  return openssl;
}

function run(args: readonly string[], cwd: string): void {
  try {
    execFileSync(opensslBinary(), args, { cwd, stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr.trim()}`);
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Writes a CA and one leaf per identity into `dir`. Leaves are valid for client and server use, so
 * one certificate serves a workload's sidecar on both sides of a connection.
 */
export function makeMeshCertificates(dir: string, identities: readonly MeshIdentity[], trustDomain = 'cluster.local'): MeshCertificates {
  mkdirSync(dir, { recursive: true });
  run(
    [
      'req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/O=meshctl test/CN=mesh root CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const byIdentity = new Map<string, IssuedCertificate>();
  for (const identity of identities) {
    const key = `${identity.namespace}/${identity.serviceAccount}`;
    if (byIdentity.has(key)) continue;
    const base = `${identity.namespace}.${identity.serviceAccount}`;
    const id = spiffeId(trustDomain, identity);
    writeFileSync(
      path.join(dir, `${base}.ext`),
      [
        `subjectAltName=critical,URI:${id}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
        '',
      ].join('\n'),
    );
    // Istio's workload certificates carry an empty subject; the SPIFFE ID is in the SAN alone.
    run(['req', '-new', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', '/'], dir);
    run(
      ['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${base}.crt`, '-extfile', `${base}.ext`],
      dir,
    );
    byIdentity.set(key, { spiffeId: id, certPath: path.join(dir, `${base}.crt`), keyPath: path.join(dir, `${base}.key`) });
  }
  return {
    caCertPath: path.join(dir, 'ca.crt'),
    trustDomain,
    byIdentity,
    get(namespace, serviceAccount) {
      const issued = byIdentity.get(`${namespace}/${serviceAccount}`);
      if (!issued) throw new Error(`no certificate was issued for ${namespace}/${serviceAccount}`);
      return issued;
    },
  };
}
