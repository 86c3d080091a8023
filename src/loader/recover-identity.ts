// What a document that could not be parsed still says about itself. A document with a syntax
// error is reported once, where the error is; references to the service it declares must not add
// "names no service" errors in other files, which would send the author to the wrong place.
// The YAML cannot be trusted here, so this reads only the plainest lines: `kind: X` and `name:` /
// `namespace:` under `metadata:` (block or flow style), at any indentation, tabs included.

export interface RecoveredIdentity {
  kind?: string;
  name?: string;
  namespace?: string;
}

const SCALAR = String.raw`["']?([A-Za-z0-9][A-Za-z0-9._-]*)["']?`;

export function recoverIdentity(text: string): RecoveredIdentity | undefined {
  const identity: RecoveredIdentity = {};
  const kind = new RegExp(String.raw`^kind:[ \t]*${SCALAR}[ \t]*(?:#.*)?$`, 'm').exec(text);
  if (kind) identity.kind = kind[1]!;
  const flow = new RegExp(String.raw`^metadata:[ \t]*\{([^}\n]*)\}`, 'm').exec(text);
  if (flow) {
    for (const field of ['name', 'namespace'] as const) {
      const match = new RegExp(String.raw`(?:^|,)\s*${field}:\s*${SCALAR}\s*(?:,|$)`).exec(flow[1]!);
      if (match) identity[field] = match[1]!;
    }
  } else {
    const block = /^metadata:[ \t]*(?:#.*)?\n((?:[ \t]+.*(?:\n|$)|[ \t]*(?:#.*)?\n)*)/m.exec(text);
    if (block) {
      // Only the block's own keys: the shallowest indentation under metadata (a stray tab counted
      // as the two spaces mesh files indent with).
      const lines = block[1]!.split('\n').filter((line) => /\S/.test(line) && !/^\s*#/.test(line));
      const indent = (line: string) => /^[ \t]*/.exec(line)![0].replaceAll('\t', '  ').length;
      const depth = Math.min(...lines.map(indent));
      for (const line of lines) {
        if (indent(line) !== depth) continue;
        const match = new RegExp(String.raw`^[ \t]*(name|namespace):[ \t]*${SCALAR}[ \t]*(?:#.*)?$`).exec(line);
        if (match) identity[match[1] as 'name' | 'namespace'] = match[2]!;
      }
    }
  }
  return identity.name !== undefined ? identity : undefined;
}
