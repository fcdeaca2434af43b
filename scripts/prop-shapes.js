#!/usr/bin/env node
// Writes lib/validation/prop-shapes.ts: the keys of every public props and options type, read from
// the TypeScript types with the compiler API, so that plainProps can refuse a key the type does not
// have (a typo from a values file, a spread or plain JS is otherwise dropped without a word, and the
// server ignores unknown config keys too). lib/ reads the generated file and never needs
// `typescript` at run time.
//
//   node scripts/prop-shapes.js           writes the file
//   node scripts/prop-shapes.js --check   exits 1 when the committed file is stale
//
// A shape is a type whose keys are checked: an interface or an object type literal declared in lib/
// or imports/ (the generated Kubernetes bindings drop unknown fields in toJson as well), or a data
// interface of cdk8s or cdk8s-plus-27 (ContainerResources and its CPU and memory), without methods. Class instances (Duration, Size, SecretRef, Datastore, constructs...) are not shapes.
// Each prop is written as 0 (nothing to check below it) or as where its value's keys are checked:
//   Name       a plain object of the shape Name
//   Name[]     a list whose items are
//   {Name}     a map: any key, each value is
// with alternatives joined by "|" when the type is a union (a plain object is checked against the
// keys of all the alternatives that are shapes). A shape with an index signature lists it as "*".
// A prop of a binding's type (imports/, cdk8s-plus) whose type is one kind of value also has that
// kind (#s, #n, #b, #a: a string, a number, a boolean, a list), which its value must be unless it is
// undefined or null: cdk8s writes any value there into the manifest. A prop with keys to check and
// no such kind ends with "+" and the other kinds its type allows besides a plain object (+f: false,
// +sa: text or a list, + nothing else), which a value that is not a plain object must be.
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const OUT = path.join(root, 'lib/validation/prop-shapes.ts');

function generate() {
  const program = ts.createProgram([path.join(root, 'lib/index.ts')], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, noEmit: true,
    moduleResolution: ts.ModuleResolutionKind.Node10, types: [],
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(root, 'lib/index.ts'));
  const shapes = new Map(); // name -> { fields: [[key, descriptor]] } (filled once)
  const names = new Map(); // type -> name
  const taken = new Map(); // name -> type

  const ownFile = (decl) => {
    const file = path.relative(root, decl.getSourceFile().fileName);
    return file.startsWith('lib/') || file.startsWith('imports/') || /\/node_modules\/(cdk8s|cdk8s-plus-27)\//.test(decl.getSourceFile().fileName);
  };

  /** Whether a type's plain objects have their keys checked. */
  function isShape(type) {
    if (!(type.flags & ts.TypeFlags.Object) || checker.isArrayType(type) || checker.isTupleType(type)) return false;
    if (type.getCallSignatures().length || type.getConstructSignatures().length) return false;
    const symbol = type.aliasSymbol && !type.symbol ? type.aliasSymbol : type.symbol;
    if (!symbol) return false;
    if (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Enum | ts.SymbolFlags.Function)) return false;
    const decls = symbol.declarations ?? [];
    // A mapped type (Partial<Record<Role, X>>) is declared in TypeScript's lib, but its keys are the props'.
    const mapped = decls.some((d) => ts.isMappedTypeNode(d)) || (type.objectFlags & ts.ObjectFlags.Mapped);
    if (!mapped && (decls.length === 0 || !decls.every(ownFile))) return false;
    // An interface with methods is implemented by a class; its instances are not plain objects.
    if (decls.some((d) => (d.members ?? []).some((m) => ts.isMethodSignature(m)))) return false;
    return true;
  }

  function nameOf(type, fallback) {
    if (names.has(type)) return names.get(type);
    let name = fallback;
    const symbol = type.aliasSymbol ?? type.symbol;
    if (symbol && symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias) && !type.aliasTypeArguments) name = symbol.getName();
    else if (type.aliasSymbol && type.aliasSymbol.flags & ts.SymbolFlags.TypeAlias && !type.aliasTypeArguments) name = type.aliasSymbol.getName();
    if (taken.has(name) && taken.get(name) !== type) {
      const decl = (symbol?.declarations ?? [])[0];
      const file = decl ? path.basename(decl.getSourceFile().fileName, '.ts') : 'type';
      name = `${file}.${name}`;
      for (let n = 2; taken.has(name) && taken.get(name) !== type; n++) name = `${file}.${name}${n}`;
    }
    names.set(type, name);
    taken.set(name, type);
    return name;
  }

  /**
   * The one kind of JavaScript value every alternative of a prop's type is (#s a string, #n a
   * number, #b a boolean, #a a list), or none: a union of kinds, a class, any, unknown, a function,
   * an enum or a union of literals.
   */
  function kindOf(type) {
    const kinds = new Set();
    for (const alt of type.isUnion() ? type.types : [type]) {
      if (alt.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) continue;
      // An enum or a union of literals has a check of its own that names the values it takes.
      if (alt.flags & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.EnumLiteral)) return undefined;
      if (alt.flags & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral)) kinds.add('#s');
      else if (alt.flags & ts.TypeFlags.Number) kinds.add('#n');
      else if (alt.flags & ts.TypeFlags.BooleanLiteral) kinds.add('#b');
      else if (checker.isArrayType(alt) || checker.isTupleType(alt)) kinds.add('#a');
      // The k8s bindings' Quantity and IntOrString: cdk8s writes their .value, so text or a number
      // in their place (from a values file) was written as null, or left out.
      else if (isBinding(alt) && alt.symbol?.name === 'Quantity') kinds.add('#q');
      else if (isBinding(alt) && alt.symbol?.name === 'IntOrString') kinds.add('#i');
      else return undefined;
    }
    return kinds.size === 1 ? [...kinds][0] : undefined;
  }

  /**
   * The descriptor of a value of `type` (0 when nothing below it is checked); with `withKind` true,
   * its kind too, and with 'boolean' its kind only when that is a boolean.
   */
  function describe(type, fallback, withKind = false) {
    const parts = [];
    const kind = withKind ? kindOf(type) : undefined;
    if (kind !== undefined && (withKind === true || kind === '#b')) parts.push(kind);
    const alternatives = type.isUnion() ? type.types : [type];
    for (const alt of alternatives) {
      if (alt.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) continue;
      if (checker.isArrayType(alt)) {
        const item = describe(checker.getTypeArguments(alt)[0], `${fallback} item`);
        if (item !== 0) parts.push(...item.split('|').map((p) => `${p}[]`));
        continue;
      }
      // An intersection of shapes (PodGroup & { name: string }) has the keys of them all.
      if (alt.isIntersection() && alt.types.every(isShape)) {
        parts.push(shape(alt, fallback));
        continue;
      }
      if (!isShape(alt)) continue;
      const props = checker.getPropertiesOfType(alt);
      const indexed = checker.getIndexInfosOfType(alt).find((info) => info.keyType.flags & ts.TypeFlags.String);
      if (props.length === 0 && indexed) {
        // A binding's map of Quantity (requests, limits) has the kind of its values checked too.
        const valueKind = withKind === true ? kindOf(indexed.type) : undefined;
        const value = ['#q', '#i'].includes(valueKind) ? valueKind : describe(indexed.type, `${fallback} value`);
        if (value !== 0) parts.push(...value.split('|').map((p) => `{${p}}`));
        else parts.push('{}');
        continue;
      }
      parts.push(shape(alt, fallback));
    }
    const unique = [...new Set(parts)].sort();
    // A map of anything unchecked, alone, checks nothing.
    if (unique.length === 0 || (unique.length === 1 && unique[0] === '{}')) return 0;
    return unique.join('|');
  }

  /** Whether every list a prop's type allows holds objects (class instances), not text or numbers. */
  function listOfInstances(type) {
    const lists = (type.isUnion() ? type.types : [type]).filter((alt) => checker.isArrayType(alt));
    return lists.length > 0 && lists.every((list) => {
      const item = checker.getTypeArguments(list)[0];
      return (item.isUnion() ? item.types : [item]).every((alt) => (alt.flags & ts.TypeFlags.Object) !== 0);
    });
  }

  /*
   * What else than a plain object a prop whose value's keys are checked may be, as letters: s text,
   * n a number, b a boolean (t only true, f only false), a a list; * anything (any, unknown).
   * Without them a value of another kind reached the constructs as if it were options:
   * `podMonitor: "false"` (from a values file) turned the PodMonitor on, and `[]` counted as `{}`.
   * A class instance, a function or another object is left to the checks further in.
   */
  function othersOf(type) {
    const letters = new Set();
    for (const alt of type.isUnion() ? type.types : [type]) {
      if (alt.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) continue;
      if (alt.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return '*';
      if (alt.flags & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringLiteral)) letters.add('s');
      else if (alt.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) letters.add('n');
      else if (alt.flags & (ts.TypeFlags.BigInt | ts.TypeFlags.BigIntLiteral)) return '*';
      else if (alt.flags & ts.TypeFlags.BooleanLiteral) letters.add(alt.intrinsicName === 'true' ? 't' : 'f');
      else if (checker.isArrayType(alt) || checker.isTupleType(alt)) letters.add('a');
    }
    if (letters.has('t') && letters.has('f')) {
      letters.delete('t');
      letters.delete('f');
      letters.add('b');
    }
    return [...letters].sort().join('');
  }

  /*
   * Whether a shape is a binding's (imports/, cdk8s-plus): its props have no check of their own, and
   * cdk8s writes whatever they hold into the manifest. The library's own props are checked by the
   * constructs, in messages that say more than a kind.
   */
  const isBinding = (type) => (type.symbol?.declarations ?? []).some((d) => {
    const file = d.getSourceFile().fileName;
    return path.relative(root, file).startsWith('imports/') || /\/node_modules\/cdk8s-plus-27\//.test(file);
  });

  function shape(type, fallback) {
    const name = nameOf(type, fallback);
    if (shapes.has(name)) return name;
    const kinded = isBinding(type);
    const entry = { fields: [] };
    shapes.set(name, entry);
    for (const prop of checker.getPropertiesOfType(type)) {
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      const propType = decl ? checker.getTypeOfSymbolAtLocation(prop, decl) : checker.getTypeOfSymbol(prop);
      // A flag of the library's own props has its kind checked too: no check of a flag says more
      // than "true or false", and in untyped code the string "false" is truthy and turns on what it names.
      let described = describe(propType, `${name}.${prop.getName()}`, kinded ? true : 'boolean');
      // A boolean's documented default, for the message: "true or false (or leave it out for true)".
      const byDefault = prop.getJsDocTags().find((tag) => tag.name === 'default')?.text?.map((t) => t.text).join('').trim();
      if (typeof described === 'string' && described.split('|').includes('#b') && (byDefault === 'true' || byDefault === 'false')) {
        described = described.replace('#b', `#b=${byDefault}`);
      }
      // A list of class instances (LabelMatcher, NetworkPeer...), whose keys nothing checks, is still
      // a list: one instance in its place passed wherever the list went unread. (A list of text has
      // checks of its own, that say what the text is.)
      if (described === 0 && !kinded && kindOf(propType) === '#a' && listOfInstances(propType)) described = '#a';
      // A prop with keys to check, and no one kind of its own, says what else its value may be ("+" and the letters of othersOf).
      if (typeof described === 'string' && !described.split('|').some((d) => d.startsWith('#'))) {
        described = `${described}|+${othersOf(propType)}`;
      }
      entry.fields.push([prop.getName(), described]);
    }
    const indexed = checker.getIndexInfosOfType(type).find((info) => info.keyType.flags & ts.TypeFlags.String);
    if (indexed) entry.fields.push(['*', describe(indexed.type, `${name} value`)]);
    return name;
  }

  // The roots: every exported props or options interface, and the object parameters of every
  // public constructor and method of an exported class (Datastore.postgres, ArchivalProvider.s3...).
  const moduleSymbol = checker.getSymbolAtLocation(index);
  for (let symbol of checker.getExportsOfModule(moduleSymbol)) {
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    if (symbol.flags & ts.SymbolFlags.Interface) {
      const type = checker.getDeclaredTypeOfSymbol(symbol);
      if (/(Props|Options)$/.test(symbol.getName()) && isShape(type)) shape(type, symbol.getName());
    }
    if (symbol.flags & ts.SymbolFlags.Class) {
      const decl = symbol.declarations.find(ts.isClassDeclaration);
      for (const member of decl?.members ?? []) {
        if (!(ts.isConstructorDeclaration(member) || ts.isMethodDeclaration(member))) continue;
        const modifiers = ts.getCombinedModifierFlags(member);
        if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
        if (ts.getJSDocTags(member).some((tag) => tag.tagName.text === 'internal')) continue;
        const method = ts.isConstructorDeclaration(member) ? 'constructor' : member.name.getText();
        for (const param of member.parameters) {
          const type = checker.getTypeAtLocation(param);
          const described = describe(type, `${symbol.getName()}.${method}.${param.name.getText()}`);
          void described;
        }
      }
    }
  }

  checkCallSites(program, checker, shapes);

  const sorted = [...shapes.keys()].sort();
  const quote = (text) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(text) ? text : `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  const lines = [
    '// Generated by scripts/prop-shapes.js from the public props and options types. Do not edit: run `node scripts/prop-shapes.js`.',
    '',
    '/* eslint-disable */',
    '/** The keys of each props type, and where the keys of its values are checked (see scripts/prop-shapes.js). */',
    'const SHAPES = {',
  ];
  for (const name of sorted) {
    const fields = shapes.get(name).fields.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    lines.push(`  ${quote(name)}: { ${fields.map(([key, d]) => `${quote(key)}: ${d === 0 ? 0 : `'${d}'`}`).join(', ')} },`);
  }
  lines.push('} as const;', '',
    '/** The name of a props type with a shape. */',
    'export type PropShapeName = keyof typeof SHAPES;', '',
    'export const PROP_SHAPES: Readonly<Record<string, Readonly<Record<string, string | 0>>>> = SHAPES;', '');
  return lines.join('\n');
}

/*
 * Every call of plainProps in lib/ names the shape of the props it copies, and that shape has the
 * keys of the props' declared type: a call that names another type would refuse good keys or pass
 * bad ones, and tsc only sees that the name is some shape's.
 */
function checkCallSites(program, checker, shapes) {
  const problems = [];
  for (const file of program.getSourceFiles()) {
    const rel = path.relative(root, file.fileName);
    if (!rel.startsWith('lib/') || rel === 'lib/validation/plain-data.ts') continue;
    const visit = (node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'plainProps') {
        const where = `${rel}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const named = node.arguments[2];
        const literals = [];
        const collect = (n) => {
          if (ts.isStringLiteral(n)) literals.push(n.text);
          else if (ts.isConditionalExpression(n)) { collect(n.whenTrue); collect(n.whenFalse); }
          else if (ts.isParenthesizedExpression(n)) collect(n.expression);
          else problems.push(`${where}: the shape is not a string literal`);
        };
        if (named === undefined) problems.push(`${where}: plainProps without the name of the props type's shape`);
        else collect(named);
        const type = checker.getNonNullableType(checker.getTypeAtLocation(node.arguments[1]));
        const keys = checker.getPropertiesOfType(type).map((p) => p.getName()).sort().join(', ');
        for (const name of literals) {
          const shape = shapes.get(name);
          if (shape === undefined) { problems.push(`${where}: no shape ${name}`); continue; }
          const shapeKeys = shape.fields.map(([k]) => k).filter((k) => k !== '*').sort().join(', ');
          if (shapeKeys !== keys) problems.push(`${where}: shape ${name} has the keys ${shapeKeys}, the props' type ${keys}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  if (problems.length > 0) throw new Error(`plainProps calls:\n  ${problems.join('\n  ')}`);
}

if (require.main === module) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf-8') : '';
    if (current !== text) {
      console.error(`${path.relative(root, OUT)} is stale: run \`node scripts/prop-shapes.js\` and commit it.`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(OUT, text);
  }
}

module.exports = { generate, OUT };
