/**
 * Source positions for pricing.yaml: parses with a LineCounter and finds the node a path points at,
 * so every problem can say file:line:col. Duplicate keys are found here because `yaml` is asked not
 * to reject them (uniqueKeys: false): that way both positions can be named. Merge keys (`<<: *defaults`)
 * are on, so prices can share settings through anchors.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node, type Pair } from 'yaml';

export type PathSegment = string | number;
export interface Position {
  line: number;
  col: number;
}

export interface YamlSource {
  doc: Document.Parsed;
  /** YAML syntax errors, with positions. */
  syntaxErrors: { position: Position; message: string }[];
  /** Where `path` is: its value (default) or its key; the nearest existing ancestor when absent. */
  locate(path: PathSegment[], target?: 'key' | 'value'): Position;
  /** The document as plain data, or why it cannot be (an unknown alias, an alias bomb). */
  toData(): { data?: unknown; error?: { position: Position; message: string } };
  /** Every key that appears twice in one mapping: the second occurrence and the first. */
  duplicateKeys(): { path: PathSegment[]; position: Position; first: Position }[];
}

/** yaml's own message names its API (`YAML.parseAllDocuments()`), which means nothing to a user. */
const MULTIPLE_DOCS = 'more than one YAML document here (a second `---` or a `...`): the file must be a single document';

export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, merge: true });
  const at = (offset: number | undefined): Position => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, col: p.col };
  };
  const syntaxErrors = doc.errors.map((e) => ({ position: at(e.pos[0]), message: e.code === 'MULTIPLE_DOCS' ? MULTIPLE_DOCS : e.message.split('\n')[0] }));

  const keyOf = (pair: Pair): string => String(isScalar(pair.key) ? pair.key.value : pair.key);
  const pairIn = (collection: unknown, segment: PathSegment): Pair<Node, Node> | undefined => {
    if (!isMap(collection)) return undefined;
    // The last duplicate wins in toJS, so point at the last one.
    const pairs = collection.items.filter((p) => keyOf(p) === String(segment));
    return pairs[pairs.length - 1] as Pair<Node, Node> | undefined;
  };
  const child = (collection: unknown, segment: PathSegment): { node?: Node; pair?: Pair<Node, Node> } => {
    if (isSeq(collection) && typeof segment === 'number') return { node: collection.items[segment] as Node | undefined };
    const pair = pairIn(collection, segment);
    return { node: pair?.value ?? undefined, pair };
  };

  const locate = (path: PathSegment[], target: 'key' | 'value' = 'value'): Position => {
    let node: unknown = doc.contents;
    let lastPair: Pair<Node, Node> | undefined;
    let lastNode: Node | undefined = (doc.contents as Node | null) ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const { node: next, pair } = child(node, path[i]);
      const isLast = i === path.length - 1;
      if (isLast && pair && (target === 'key' || !next)) return at(pair.key?.range?.[0]);
      if (!next) {
        // Absent: point at the key of the nearest existing ancestor, where the missing field belongs.
        if (lastPair) return at(lastPair.key?.range?.[0]);
        return at(lastNode?.range?.[0]);
      }
      node = next;
      lastNode = next;
      if (pair) lastPair = pair;
    }
    return at(lastNode?.range?.[0]);
  };

  const duplicateKeys = () => {
    const found: { path: PathSegment[]; position: Position; first: Position }[] = [];
    visit(doc, {
      Map(_key, map, ancestors) {
        const seen = new Map<string, Pair>();
        for (const pair of map.items) {
          const key = keyOf(pair);
          const first = seen.get(key);
          if (first) {
            found.push({ path: [...pathOf(ancestors, map), key], position: at((pair.key as Node | null)?.range?.[0]), first: at((first.key as Node | null)?.range?.[0]) });
          } else seen.set(key, pair);
        }
      },
    });
    return found;
  };

  const toData = (): { data?: unknown; error?: { position: Position; message: string } } => {
    try {
      return { data: doc.toJS({ maxAliasCount: 100 }) };
    } catch (err) {
      // toJS throws (without a position) on aliases it cannot resolve or that expand too much.
      let position: Position = { line: 1, col: 1 };
      visit(doc, {
        Alias(_key, alias) {
          if (alias.resolve(doc) === undefined) {
            position = at(alias.range?.[0]);
            return visit.BREAK;
          }
        },
      });
      return { error: { position, message: (err as Error).message.split('\n')[0] } };
    }
  };

  return { doc, syntaxErrors, locate, duplicateKeys, toData };
}

/** The data path of `node` from visit()'s ancestor chain (document, maps, seqs and pairs). */
function pathOf(ancestors: readonly unknown[], node: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const next = chain[i + 1];
    if (isPair(parent)) continue;
    if (isMap(parent) && isPair(next)) path.push(String(isScalar(next.key) ? next.key.value : next.key));
    if (isSeq(parent)) path.push(parent.items.indexOf(next as never));
  }
  return path;
}
