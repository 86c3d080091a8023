// Text from mesh files (names, values, file names) reaches terminals, CI logs and pull-request
// comments through the human formats. A control character there is not text but a command: an
// escape sequence (ESC, or C1 CSI U+009B) can recolour, move the cursor or clear a reviewer's
// terminal, a carriage return can overwrite what a line said, and bidirectional overrides can make
// a line read other than it is. The human formats show each such character as a visible escape
// (`\x1b`, `\r`, `\u202e`); JSON and SARIF carry the text exactly, as their readers escape it.

/** C0 controls but tab, DEL, C1 controls, and the Unicode bidirectional overrides and isolates. */
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

/** The character as a visible escape: \n, \r, \e, \x07, \u009b. */
function visible(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of human output: every control character (line breaks included) made visible. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, visible);
}

/** Several lines of human output: line feeds kept, every other control character made visible. */
export function printableLines(text: string): string {
  return text.replace(UNPRINTABLE, (char) => (char === '\n' ? char : visible(char)));
}
