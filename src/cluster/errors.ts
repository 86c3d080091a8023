// The one error type of src/cluster/: its message is the whole user-facing line (the command adds
// "meshctl: error: "), and its kind lets a caller decide whether to go on with other objects.
import { UserError } from '../diagnostics/user-error.js';

export type ClusterErrorKind =
  | 'config' // kubeconfig, flags, ApplySet reference
  | 'unreachable' // connection refused, unknown host, reset
  | 'tls' // certificate or handshake
  | 'timeout' // --request-timeout elapsed
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404 where an object or resource had to exist
  | 'conflict' // 409: field-manager conflicts or a stale precondition
  | 'invalid' // 422 and 400: the server refused the object
  | 'unserved' // the cluster does not serve a kind meshctl emits
  | 'refused' // meshctl's own guards: another ApplySet, another tool, mass prune
  | 'api'; // any other answer from the server

/** A field owned by another field manager, from a 409's Status causes. */
export interface FieldConflict {
  field: string;
  manager: string;
}

export class ClusterError extends UserError {
  readonly kind: ClusterErrorKind;
  /** For `conflict`: each field and the manager that owns it. */
  readonly conflicts: readonly FieldConflict[];
  /** For `invalid`: the server's field errors, one per line. */
  readonly details: readonly string[];
  /** Connection-level faults make every later request fail too: stop instead of going on. */
  get fatal(): boolean {
    return this.kind === 'unreachable' || this.kind === 'tls' || this.kind === 'timeout' || this.kind === 'unauthorized' || this.kind === 'config';
  }

  constructor(message: string, kind: ClusterErrorKind = 'config', extra: { conflicts?: FieldConflict[]; details?: string[] } = {}) {
    super(message);
    this.name = 'ClusterError';
    this.kind = kind;
    this.conflicts = extra.conflicts ?? [];
    this.details = extra.details ?? [];
  }

  /** The message and the server's field errors, each on its own line. */
  override lines(): string[] {
    return [this.message, ...this.details.map((detail) => `  ${detail}`)];
  }
}
