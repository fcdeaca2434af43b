import { join } from 'path';
import * as ts from 'typescript';

/**
 * A consumer writes props, and often builds parts of them in helpers of its own
 * (`function proxy(): DatabaseAccessOptions`): every type a public props interface uses, at any
 * depth, must be importable from the package's entry point, not only reachable through it.
 */
/**
 * Props of the constructs TemporalCluster and WorkerFleet create themselves, from what they have
 * already resolved (a frontend client, a fleet's connection, volumes): no app writes these.
 */
const BUILT_BY_THE_LIBRARY = new Set(['AdminToolsProps', 'TemporalUiProps', 'FleetAutoscalerProps', 'FleetNetworkPoliciesProps',
  'RemoteClusterRegistrationProps', 'TemporalServiceProps']);

function unexportedPropTypes(): string[] {
  const entry = join(__dirname, '..', 'lib', 'index.ts');
  const program = ts.createProgram([entry], { strict: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const unalias = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exported = new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!).map(unalias));
  const lib = `${join(__dirname, '..', 'lib').split('\\').join('/')}/`;
  const ours = (d: ts.Declaration) => d.getSourceFile().fileName.startsWith(lib);
  const missing = new Set<string>();
  const seen = new Set<ts.Symbol>();
  const visit = (symbol: ts.Symbol, via: string) => {
    if (seen.has(symbol)) return;
    seen.add(symbol);
    for (const decl of symbol.declarations ?? []) {
      if (!ours(decl) || !ts.isInterfaceDeclaration(decl)) continue;
      const walk = (node: ts.Node): void => {
        if (ts.isTypeReferenceNode(node)) {
          const s = checker.getSymbolAtLocation(node.typeName);
          const target = s && unalias(s);
          if (target && !(target.flags & ts.SymbolFlags.TypeParameter) && (target.declarations ?? []).some(ours)) {
            if (!exported.has(target)) missing.add(`${target.name} (in ${via})`);
            visit(target, `${via}.${target.name}`);
          }
        }
        ts.forEachChild(node, walk);
      };
      walk(decl);
    }
  };
  for (const s of exported) if (/(Props|Options)$/.test(s.name) && !BUILT_BY_THE_LIBRARY.has(s.name)) visit(s, s.name);
  return [...missing].sort();
}

describe('the public API', () => {
  test('every type a props interface uses is exported from lib/index.ts', () => {
    expect(unexportedPropTypes()).toEqual([]);
  }, 60_000);
});
