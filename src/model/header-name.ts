// HTTP header names as Envoy handles them: RFC 9110 tokens, compared case-insensitively and sent
// in lower case; pseudo-headers (":path") exist only in the request or response itself, where
// Envoy lets routes match on them but never set or remove them.

/** RFC 9110 tchar. */
const TOKEN_CHARACTER = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;

/** The pseudo-headers a request carries (HTTP/2 and HTTP/3, and Envoy's view of HTTP/1.1). */
export const REQUEST_PSEUDO_HEADERS: readonly string[] = [':authority', ':method', ':path', ':scheme'];

export function isPseudoHeader(name: string): boolean {
  return name.startsWith(':');
}

/** The first character that a header name may not contain, or undefined for a valid token. */
export function invalidHeaderCharacter(name: string): string | undefined {
  return [...name].find((character) => !TOKEN_CHARACTER.test(character));
}

/** Envoy refuses to add, set or remove pseudo-headers and `host` (":authority" in disguise). */
export function isModifiableHeader(name: string): boolean {
  return !isPseudoHeader(name) && name.toLowerCase() !== 'host';
}

/** How a character is named in a message: visible characters quoted, others by code point. */
export function describeCharacter(character: string): string {
  if (character === ' ') return 'a space';
  const code = character.codePointAt(0) ?? 0;
  return code > 0x20 && code < 0x7f ? `"${character}"` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
