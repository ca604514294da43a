/** The part of derive.ts that runs TypeScript's compiler over the SDK's .d.ts files (on a cache miss). */
import { join } from 'node:path';
import type * as TS from 'typescript';
import type { Definition, Field, Schema, Shape } from './derive.js';
import { DISPATCH_TYPES, INCLUDABLE, OBJECT_TYPES } from './object-types.js';

/** Loaded on demand: bundled into the teardown, a static import would load the compiler on every run. */
let ts: typeof TS;

export async function deriveSchema(root: string): Promise<Schema> {
  ts = ((await import('typescript')) as unknown as { default: typeof TS }).default;
  const ENTRY = join(root, 'test/helpers/shapes/__entry__.ts');
  const entries = Object.entries(OBJECT_TYPES);
  const source = [
    "import type Stripe from 'stripe';",
    'export interface DispatchByObject { readonly __dispatchByObject: true }',
    'export interface Shapes {',
    ...entries.map(([object, type]) => `  ${JSON.stringify(object)}: ${type};`),
    '}',
  ].join('\n');
  const options: TS.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === ENTRY ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === ENTRY || fileExists(name);
  const program = ts.createProgram([ENTRY], options, host);
  const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(ENTRY));
  if (errors.length) throw new Error(`test/helpers/shapes/object-types.ts names a type the SDK does not have:\n${ts.formatDiagnostics(errors, host)}`);
  const checker = program.getTypeChecker();
  const shapesSymbol = checker.getSymbolAtLocation(program.getSourceFile(ENTRY)!)!.exports!.get('Shapes' as TS.__String)!;
  const shapesType = checker.getDeclaredTypeOfSymbol(shapesSymbol);
  const deriver = new Deriver(checker);
  const objects: Record<string, Shape> = {};
  for (const [object] of entries) objects[object] = deriver.shape(checker.getTypeOfSymbol(shapesType.getProperty(object)!));
  return { objects, defs: deriver.defs };
}

class Deriver {
  readonly defs: Record<string, Definition> = {};
  private readonly keys = new Map<TS.Type, string>();
  private readonly used = new Set<string>();

  constructor(private readonly checker: TS.TypeChecker) {}

  shape(type: TS.Type): Shape {
    const f = type.flags;
    const alias = type.aliasSymbol?.getName();
    if (alias === 'Decimal') return 'decimal';
    if (alias === 'OtherString') return 'string';
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'any';
    if (f & ts.TypeFlags.Void) return 'absent';
    if (f & ts.TypeFlags.Null) return 'null';
    if (f & ts.TypeFlags.StringLiteral) return { lit: (type as TS.StringLiteralType).value };
    if (f & ts.TypeFlags.NumberLiteral) return { lit: (type as TS.NumberLiteralType).value };
    if (f & ts.TypeFlags.BooleanLiteral) return { lit: this.checker.typeToString(type) === 'true' };
    if (f & ts.TypeFlags.String) return 'string';
    if (f & ts.TypeFlags.Number) return 'number';
    if (f & ts.TypeFlags.Boolean) return 'boolean';
    if (type.isUnion()) {
      // `'a' | 'b' | OtherString`: the SDK leaves every enum open so that integrations expect values
      // it does not list; the emulator must send one it lists (anything else is our typo).
      const members = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined) && t.aliasSymbol?.getName() !== 'OtherString').map((t) => this.shape(t));
      if (members.length === 0) return 'string';
      const lits = members.filter((m) => typeof m === 'object' && 'lit' in m && typeof m.lit === 'boolean');
      const merged = lits.length === 2 ? [...members.filter((m) => !lits.includes(m)), 'boolean' as const] : members;
      return merged.length === 1 ? merged[0] : { union: merged };
    }
    if (type.isIntersection() && type.types.some((t) => t.flags & ts.TypeFlags.String)) return 'string';
    if (this.checker.isArrayType(type)) return { array: this.shape(this.checker.getTypeArguments(type as TS.TypeReference)[0]) };
    if (f & ts.TypeFlags.Object) return this.object(type);
    throw new Error(`cannot derive a shape from ${this.checker.typeToString(type)}`);
  }

  private object(type: TS.Type): Shape {
    const name = this.checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
    if (DISPATCH_TYPES.includes(name)) return 'dispatch';
    const known = this.keys.get(type);
    if (known) return { ref: known };
    let key = name;
    for (let n = 2; this.used.has(key); n++) key = `${name}#${n}`;
    this.keys.set(type, key);
    this.used.add(key);
    const def: Definition = { name, fields: {} };
    this.defs[key] = def;
    const objectType = this.checker.getPropertyOfType(type, 'object');
    const objectLiteral = objectType && this.checker.getTypeOfSymbol(objectType);
    const includable = objectLiteral?.isStringLiteral() ? (INCLUDABLE[objectLiteral.value] ?? []) : [];
    for (const prop of this.checker.getPropertiesOfType(type)) {
      const propType = this.checker.getTypeOfSymbol(prop);
      if (propType.getCallSignatures().length) continue;
      const field: Field = { shape: this.shape(propType) };
      if (prop.flags & ts.SymbolFlags.Optional) field.optional = true;
      if (isExpandable(field.shape)) field.expandable = true;
      const doc = ts.displayPartsToString(prop.getDocumentationComment(this.checker));
      if (includable.includes(prop.getName()) || /only present when `expand`/i.test(doc)) field.includable = true;
      def.fields[prop.getName()] = field;
    }
    const rest = this.checker.getIndexTypeOfType(type, ts.IndexKind.String);
    if (rest) def.rest = this.shape(rest);
    return { ref: key };
  }
}

/** An id string or an object: how the SDK types every expandable field (`string | Stripe.X`). */
function isExpandable(shape: Shape): boolean {
  if (typeof shape !== 'object' || !('union' in shape)) return false;
  return shape.union.includes('string') && shape.union.some((m) => typeof m === 'object' && 'ref' in m);
}
