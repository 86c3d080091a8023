// Reading the API server's Status objects: the message, 409 field-manager conflicts, and 422
// field errors. Pure, so the parsing is tested without a server.
import type { FieldConflict } from './errors.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
}

export function parseStatus(body: string): ApiStatus | undefined {
  try {
    const parsed = JSON.parse(body) as ApiStatus;
    return parsed && typeof parsed === 'object' && parsed.kind === 'Status' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

// Server-side apply reports each conflict as a cause: message `conflict with "kubectl" using
// networking.istio.io/v1`, field `.spec.http`. Older servers put several into the message only:
// `Apply failed with 2 conflicts: conflicts with "other" using v1:\n- .data.a\n- .data.b`.
const CAUSE_MANAGER = /conflicts? with "([^"]+)"/;

export function parseConflicts(status: ApiStatus): FieldConflict[] {
  const conflicts: FieldConflict[] = [];
  for (const cause of status.details?.causes ?? []) {
    if (cause.reason !== undefined && cause.reason !== 'FieldManagerConflict') continue;
    const manager = CAUSE_MANAGER.exec(cause.message ?? '')?.[1];
    if (manager && cause.field) conflicts.push({ field: cause.field, manager });
  }
  if (conflicts.length === 0 && status.message) {
    let manager: string | undefined;
    for (const line of status.message.split('\n')) {
      const heading = CAUSE_MANAGER.exec(line);
      if (heading) manager = heading[1];
      const field = /^\s*-\s*(\S.*)$/.exec(line)?.[1];
      if (manager && field) conflicts.push({ field, manager });
    }
  }
  return conflicts;
}

/** The 422's field errors as `path: message`, in the server's order. */
export function parseFieldErrors(status: ApiStatus): string[] {
  const errors: string[] = [];
  for (const cause of status.details?.causes ?? []) {
    const message = (cause.message ?? cause.reason ?? '').trim();
    if (!message) continue;
    const field = cause.field?.replace(/^\./, '');
    errors.push(field && !message.startsWith(field) ? `${field}: ${message}` : message);
  }
  return errors;
}

/** "virtualservices.networking.istio.io "x" is forbidden: User ..." → "User ..." */
export function forbiddenReason(status: ApiStatus | undefined, fallback: string): string {
  const message = status?.message ?? fallback;
  const cut = message.indexOf(' is forbidden: ');
  if (cut !== -1) return message.slice(cut + ' is forbidden: '.length);
  // A refused non-resource path (discovery) says "forbidden: User ... cannot get path ...";
  // the caller adds its own "forbidden: ".
  return message.startsWith('forbidden: ') ? message.slice('forbidden: '.length) : message;
}
