// A parser for the DOT language (the subset Graphviz's grammar defines for graphs, subgraphs,
// node, edge and attribute statements), strict enough to refuse what Graphviz would: the tests
// read meshctl's DOT output back with it instead of trusting its text.
export interface DotGraph {
  nodes: Map<string, Record<string, string>>;
  edges: { from: string; to: string; attributes: Record<string, string> }[];
  subgraphs: string[];
}

type Token = { kind: 'id'; value: string; quoted: boolean } | { kind: 'punct'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) i++;
    else if (text.startsWith('//', i)) i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new Error('unterminated comment');
      i = end + 2;
    } else if (text.startsWith('->', i) || text.startsWith('--', i)) {
      tokens.push({ kind: 'punct', value: text.slice(i, i + 2) });
      i += 2;
    } else if ('{}[];,='.includes(char)) {
      tokens.push({ kind: 'punct', value: char });
      i++;
    } else if (char === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated string');
        const c = text[i]!;
        if (c === '"') break;
        // In a DOT string only \" is an escape; any other backslash stays (labels read \n, \\ …).
        if (c === '\\' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (c === '\\' && text[i + 1] === '\\') {
          value += '\\\\';
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'id', value, quoted: true });
    } else {
      const match = /^(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))/.exec(text.slice(i));
      if (!match) throw new Error(`unexpected character ${JSON.stringify(char)} at offset ${i}`);
      tokens.push({ kind: 'id', value: match[0], quoted: false });
      i += match[0].length;
    }
  }
  return tokens;
}

const KEYWORDS = new Set(['graph', 'digraph', 'subgraph', 'node', 'edge', 'strict']);

export function parseDot(text: string): DotGraph {
  const tokens = tokenize(text);
  let position = 0;
  const graph: DotGraph = { nodes: new Map(), edges: [], subgraphs: [] };
  const peek = () => tokens[position];
  const next = () => {
    const token = tokens[position++];
    if (!token) throw new Error('unexpected end of input');
    return token;
  };
  const expectPunct = (value: string) => {
    const token = next();
    if (token.kind !== 'punct' || token.value !== value) throw new Error(`expected "${value}", got ${JSON.stringify(token.value)} at token ${position - 1}`);
  };
  const isPunct = (value: string) => peek()?.kind === 'punct' && peek()!.value === value;
  const id = (): string => {
    const token = next();
    if (token.kind !== 'id') throw new Error(`expected an id, got "${token.value}" at token ${position - 1}`);
    if (!token.quoted && KEYWORDS.has(token.value.toLowerCase())) throw new Error(`keyword "${token.value}" used as an id`);
    return token.value;
  };
  const attributeList = (): Record<string, string> => {
    const attributes: Record<string, string> = {};
    while (isPunct('[')) {
      next();
      while (!isPunct(']')) {
        const key = id();
        expectPunct('=');
        attributes[key] = id();
        if (isPunct(',') || isPunct(';')) next();
      }
      expectPunct(']');
    }
    return attributes;
  };
  const statements = () => {
    while (!isPunct('}')) {
      const token = peek();
      if (!token) throw new Error('unexpected end of input: missing "}"');
      if (token.kind === 'id' && !token.quoted && ['graph', 'node', 'edge'].includes(token.value)) {
        next();
        attributeList();
      } else if (token.kind === 'id' && !token.quoted && token.value === 'subgraph') {
        next();
        if (peek()?.kind === 'id') graph.subgraphs.push(id());
        expectPunct('{');
        statements();
        expectPunct('}');
      } else {
        const first = id();
        if (isPunct('=')) {
          next();
          id();
        } else {
          const chain = [first];
          while (isPunct('->')) {
            next();
            chain.push(id());
          }
          if (isPunct('--')) throw new Error('"--" in a digraph');
          const attributes = attributeList();
          if (chain.length === 1) graph.nodes.set(first, { ...graph.nodes.get(first), ...attributes });
          for (let i = 1; i < chain.length; i++) graph.edges.push({ from: chain[i - 1]!, to: chain[i]!, attributes });
        }
      }
      if (isPunct(';')) next();
    }
  };

  const head = next();
  if (head.kind !== 'id' || head.value !== 'digraph') throw new Error('expected "digraph"');
  if (peek()?.kind === 'id') id();
  expectPunct('{');
  statements();
  expectPunct('}');
  if (position !== tokens.length) throw new Error('text after the graph');
  return graph;
}
