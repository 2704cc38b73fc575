#!/usr/bin/env node
// extract.js — rebuild the provider schema of the resource and data source types
// that wsqgen's templates use from the npm package @cdktf/provider-aws, and write it
// as tfcheck/testdata/aws-schema.json in the layout of `tofu providers schema -json`.
//
// The package holds no schema file: it holds the code that cdktf generated from the
// provider's schema. This script reads that code back:
//   lib/<dir>/index.js    `X.tfResourceType = "aws_…"` names the class of a type;
//                         `synthesizeHclAttributes()` / `xToHclTerraform(struct)` list every
//                         argument with its snake_case name, its kind (simple, list, set, map,
//                         struct), block or not, and its element type;
//                         getters without a setter are computed-only attributes;
//                         `new FooList(this, "foo", wrapsSet)` says list or set for nested objects;
//                         `// foo - computed: …, optional: …, required: …` comments, where the
//                         compiler kept them, give the exact flags.
//   lib/<dir>/index.d.ts  `readonly foo?: T` (optional) or `readonly foo: T` (required);
//                         a block typed `Foo` (not `Foo[]`) has max_items = 1.
//
// What the generated code does not record (see tfcheck/testdata/README.md):
//   - whether an optional argument is also computed. Resources: optional arguments are
//     written as optional only, except `id`, `tags_all`, `region`, `X` and `X_prefix`
//     pairs and the names in COMPUTED_OPTIONAL below. Data sources: every optional
//     argument is written optional+computed.
//   - schema versions, descriptions, sensitive flags, validators (enum values, ranges).
//
// Usage:
//   node tfcheck/schema/extract.js [--package-dir DIR] [--out FILE]
//        [--templates DIR]... [resource:aws_x | data:aws_y]...
//   node tfcheck/schema/extract.js --check [--out FILE] [--templates DIR]...
//        fails when a type that the templates use is missing from the committed schema
//        (no package needed; prints the command that re-extracts it).
// Without --package-dir the script runs `npm pack @cdktf/provider-aws@21.22.1` into a
// temporary folder (cached in .tools/npm-cache) and unpacks it.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const PKG = '@cdktf/provider-aws';
const PKG_VERSION = '21.22.1';
const PROVIDER_SOURCE = 'registry.terraform.io/hashicorp/aws';

const REPO = path.resolve(__dirname, '..', '..');

// Types that wsqgen's templates are known to use (the brief's list); templates add to it.
const BASE_RESOURCES = [
  'aws_apigatewayv2_api', 'aws_apigatewayv2_integration', 'aws_apigatewayv2_integration_response',
  'aws_apigatewayv2_route', 'aws_apigatewayv2_route_response', 'aws_apigatewayv2_model',
  'aws_apigatewayv2_stage', 'aws_sqs_queue', 'aws_sqs_queue_policy',
  'aws_sqs_queue_redrive_allow_policy', 'aws_sqs_queue_redrive_policy', 'aws_lambda_function',
  'aws_lambda_event_source_mapping', 'aws_cloudwatch_log_group', 'aws_cloudwatch_metric_alarm',
  'aws_iam_role', 'aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_role_policy_attachment',
  'aws_dynamodb_table', 'aws_sns_topic',
];
const BASE_DATA = ['aws_partition', 'aws_region', 'aws_caller_identity', 'aws_iam_policy_document'];

// Optional arguments of resources that the real provider also marks computed and that
// the rules above do not catch. Add "type.attr" (top level) when a test needs it.
const COMPUTED_OPTIONAL = new Set([
  'aws_sqs_queue.policy',
  'aws_sqs_queue.sqs_managed_sse_enabled',
  'aws_sqs_queue.deduplication_scope',
  'aws_sqs_queue.fifo_throughput_limit',
  'aws_sqs_queue.kms_data_key_reuse_period_seconds',
  'aws_sqs_queue.redrive_policy',
  'aws_sqs_queue.redrive_allow_policy',
  'aws_lambda_function.architectures',
  'aws_lambda_function.source_code_hash',
  'aws_lambda_event_source_mapping.maximum_retry_attempts',
  'aws_lambda_event_source_mapping.maximum_record_age_in_seconds',
  'aws_apigatewayv2_integration.timeout_milliseconds',
  'aws_dynamodb_table.stream_view_type',
  'aws_dynamodb_table.read_capacity',
  'aws_dynamodb_table.write_capacity',
  'aws_cloudwatch_log_group.log_group_class',
]);

function log(msg) { process.stderr.write(`extract: ${msg}\n`); }
function die(msg) { process.stderr.write(`extract: error: ${msg}\n`); process.exit(1); }

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const a = { packageDir: null, out: path.join(REPO, 'tfcheck', 'testdata', 'aws-schema.json'),
    templates: [path.join(REPO, 'templates', 'project', 'terraform')], extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--package-dir') a.packageDir = argv[++i];
    else if (v === '--out') a.out = path.resolve(argv[++i]);
    else if (v === '--templates') a.templates.push(path.resolve(argv[++i]));
    else if (v === '--check') a.check = true;
    else if (/^(resource|data):aws_\w+$/.test(v)) a.extra.push(v);
    else if (v === '-h' || v === '--help') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').filter(l => l.startsWith('//')).join('\n') + '\n');
      process.exit(0);
    } else die(`unknown argument ${JSON.stringify(v)} (types are written resource:aws_x or data:aws_x)`);
  }
  return a;
}

// ---------------------------------------------------------------- package
function fetchPackage() {
  const cache = path.join(REPO, '.tools', 'npm', `provider-aws-${PKG_VERSION}`);
  const pkgDir = path.join(cache, 'package');
  if (fs.existsSync(path.join(pkgDir, 'package.json'))) return pkgDir;
  fs.mkdirSync(cache, { recursive: true });
  log(`npm pack ${PKG}@${PKG_VERSION} into ${cache}`);
  const out = execFileSync('npm', ['pack', `${PKG}@${PKG_VERSION}`, '--pack-destination', cache, '--silent'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', path.join(cache, out), '-C', cache], { stdio: 'inherit' });
  fs.unlinkSync(path.join(cache, out));
  return pkgDir;
}

// ---------------------------------------------------------------- types used by templates
function typesFromTemplates(dirs) {
  const found = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) { log(`no ${path.relative(REPO, dir)} yet, using the base list`); continue; }
    const walk = d => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.tf(\.tmpl|\.tpl|\.gotmpl)?$|\.tf\.\w+$/.test(e.name)) {
          const text = fs.readFileSync(p, 'utf8');
          for (const m of text.matchAll(/^\s*(resource|data)\s+"(aws_\w+)"/gm)) found.push(`${m[1]}:${m[2]}`);
        }
      }
    };
    walk(dir);
  }
  return found;
}

// ---------------------------------------------------------------- index of the package
function indexPackage(pkgDir) {
  const lib = path.join(pkgDir, 'lib');
  const idx = new Map(); // "resource:aws_x" -> {dir, cls}
  for (const d of fs.readdirSync(lib)) {
    const f = path.join(lib, d, 'index.js');
    if (!fs.existsSync(f)) continue;
    const js = fs.readFileSync(f, 'utf8');
    for (const m of js.matchAll(/^(\w+)\.tfResourceType = "([^"]+)";$/gm)) {
      const base = new RegExp(`^class ${m[1]} extends cdktf\\.(\\w+) \\{`, 'm').exec(js);
      if (!base) continue;
      const mode = base[1] === 'TerraformDataSource' ? 'data' : base[1] === 'TerraformResource' ? 'resource'
        : base[1] === 'TerraformProvider' ? 'provider' : null;
      if (mode) idx.set(`${mode}:${m[2]}`, { dir: path.join(lib, d), cls: m[1] });
    }
  }
  return idx;
}

// ---------------------------------------------------------------- parsing one module
function parseModule(dir) {
  const js = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
  const dts = fs.readFileSync(path.join(dir, 'index.d.ts'), 'utf8');

  // hcl attribute lists: struct functions and the main class's synthesizeHclAttributes
  const attrRe = /^\s+"?(\w+)"?: \{\n\s+value: (.*),\n\s+isBlock: (true|false),\n\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",\n\s+\}/gm;
  const parseAttrs = body => {
    const out = [];
    for (const m of body.matchAll(attrRe)) {
      const cm = /(?:struct\.|this\._)(\w+)/.exec(m[2]);
      if (!cm) throw new Error(`cannot find the property name in ${m[2]}`);
      out.push({ name: m[1], prop: cm[1], isBlock: m[3] === 'true', kind: m[4], storage: m[5] });
    }
    return out;
  };
  const structAttrs = new Map(); // StructName -> attrs
  for (const m of js.matchAll(/^function (\w+)ToHclTerraform\(struct\) \{\n([\s\S]*?)\n\}\n/gm)) {
    const name = m[1][0].toUpperCase() + m[1].slice(1);
    structAttrs.set(name, parseAttrs(m[2]));
  }
  // classes
  const classes = new Map(); // name -> {base, body}
  for (const m of js.matchAll(/^class (\w+) extends ([\w.]+) \{\n([\s\S]*?)\n\}\n/gm)) {
    classes.set(m[1], { base: m[2], body: m[3] });
  }
  // interfaces in d.ts
  const ifaces = new Map(); // name -> Map(prop -> {optional, type})
  for (const m of dts.matchAll(/^export interface (\w+)(?: extends [\w.]+)? \{\n([\s\S]*?)\n\}\n/gm)) {
    const props = new Map();
    for (const p of m[2].matchAll(/^ {4}readonly (\w+)(\?)?: ([^;\n]*)/gm)) {
      props.set(p[1], { optional: !!p[2], type: p[3] });
    }
    ifaces.set(m[1], props);
  }
  return { js, structAttrs, classes, ifaces };
}

function classInfo(mod, clsName) {
  const c = mod.classes.get(clsName);
  if (!c) throw new Error(`class ${clsName} not found`);
  const body = c.body;
  const getters = new Map(); // camel -> return expression
  for (const m of body.matchAll(/^ {4}get (\w+)\(\) \{\n\s+return ([^\n]*);\n {4}\}/gm)) getters.set(m[1], m[2]);
  const setters = new Set([...body.matchAll(/^ {4}set (\w+)\(/gm)].map(m => m[1]));
  const inits = new Map(); // snake -> {cls, wrapsSet}
  for (const m of body.matchAll(/this\._\w+ = new (\w+)\(this, "(\w+)"(?:, (true|false))?\);/g)) {
    inits.set(m[2], { cls: m[1], wrapsSet: m[3] === 'true' });
  }
  const flags = new Map(); // snake -> {computed, optional, required}
  for (const m of body.matchAll(/\/\/ (\w+) - computed: (true|false), optional: (true|false), required: (true|false)/g)) {
    flags.set(m[1], { computed: m[2] === 'true', optional: m[3] === 'true', required: m[4] === 'true' });
  }
  let hcl = null;
  const s = /synthesizeHclAttributes\(\) \{\n([\s\S]*?)\n {4}\}/.exec(body);
  if (s) hcl = s[1];
  return { getters, setters, inits, flags, hcl };
}

// ---------------------------------------------------------------- types
function primitive(base) {
  switch (base) {
    case 'string': return 'string';
    case 'number': return 'number';
    case 'boolean': return 'bool';
    case 'any': return 'dynamic';
    default: throw new Error(`unknown primitive ${base}`);
  }
}
// storageClassType like stringList, numberMap, stringMapMap, stringListList; kind gives outer list/set.
function ctyFromStorage(kind, storage) {
  const m = /^(string|number|boolean|any)((?:List|Map)*)$/.exec(storage);
  if (!m) throw new Error(`unknown storageClassType ${storage}`);
  let t = primitive(m[1]);
  const wrappers = (m[2].match(/List|Map/g) || []);
  wrappers.forEach((w, i) => {
    const outer = i === wrappers.length - 1;
    if (w === 'Map') t = ['map', t];
    else t = [outer && kind === 'set' ? 'set' : 'list', t];
  });
  if (kind === 'simple' && wrappers.length) throw new Error(`simple kind with ${storage}`);
  return t;
}
function ctyFromGetter(expr, inits, snake, mod) {
  const g = /^(cdktf\.Fn\.tolist\()?this\.(get\w+|interpolationForAttribute)\('(\w+)'\)\)?$/.exec(expr);
  if (g) {
    const set = !!g[1];
    switch (g[2]) {
      case 'getStringAttribute': return 'string';
      case 'getNumberAttribute': return 'number';
      case 'getBooleanAttribute': return 'bool';
      case 'getListAttribute': return [set ? 'set' : 'list', 'string'];
      case 'getNumberListAttribute': return [set ? 'set' : 'list', 'number'];
      case 'getStringMapAttribute': return ['map', 'string'];
      case 'getNumberMapAttribute': return ['map', 'number'];
      case 'getBooleanMapAttribute': return ['map', 'bool'];
      case 'getAnyMapAttribute': return ['map', 'dynamic'];
      case 'interpolationForAttribute': return 'dynamic';
      default: throw new Error(`unknown getter ${g[2]}`);
    }
  }
  const init = inits.get(snake);
  if (/^this\._\w+$/.test(expr) && init) {
    // computed-only nested object(s): an attribute of object type in the schema
    if (init.cls.endsWith('List')) {
      const elem = objectTypeOf(mod, init.cls.replace(/List$/, 'OutputReference'));
      return [init.wrapsSet ? 'set' : 'list', elem];
    }
    if (init.cls.endsWith('Map')) return ['map', objectTypeOf(mod, init.cls.replace(/Map$/, 'OutputReference'))];
    if (init.cls.endsWith('OutputReference')) return objectTypeOf(mod, init.cls);
  }
  throw new Error(`cannot type getter for ${snake}: ${expr}`);
}
// object type of a computed-only nested object: all of its getters
function objectTypeOf(mod, refCls) {
  const ci = classInfo(mod, refCls);
  const attrs = {};
  for (const [camel, expr] of ci.getters) {
    if (camel === 'internalValue' || camel.endsWith('Input')) continue;
    const sn = snakeOf(expr, ci.inits, camel);
    if (!sn) continue;
    attrs[sn] = ctyFromGetter(expr, ci.inits, sn, mod);
  }
  return ['object', sortKeys(attrs)];
}
function snakeOf(expr, inits, camel) {
  const g = /'(\w+)'/.exec(expr);
  if (g) return g[1];
  for (const [sn, init] of inits) {
    if (expr === `this._${camel}` && camelOf(sn) === camel) return sn;
  }
  for (const [sn] of inits) if (expr === `this._${camelOf(sn)}`) return sn;
  return null;
}
function camelOf(sn) { return sn.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()); }
function sortKeys(o) { return Object.fromEntries(Object.keys(o).sort().map(k => [k, o[k]])); }

// ---------------------------------------------------------------- blocks
// Build a schema block from the hcl attribute list (arguments), the d.ts interface
// (required/optional, max 1) and the class (computed-only getters, nested lists).
function buildBlock(ctx, mod, hclAttrs, ifaceName, clsName, topType) {
  const iface = mod.ifaces.get(ifaceName);
  if (!iface) throw new Error(`interface ${ifaceName} not found`);
  // the provider's nested config structs have no OutputReference class
  const ci = (ctx.mode === 'provider' && !mod.classes.has(clsName))
    ? { getters: new Map(), setters: new Set(), inits: new Map(), flags: new Map() }
    : classInfo(mod, clsName);
  const block = { attributes: {}, block_types: {} };
  const argNames = new Set();
  for (const a of hclAttrs) {
    if (ctx.mode === 'provider' && a.name === 'alias') continue; // meta-argument
    argNames.add(a.name);
    const p = iface.get(a.prop);
    if (!p) throw new Error(`${ifaceName}: no property ${a.prop} for ${a.name}`);
    const fl = ci.flags.get(a.name);
    if (a.isBlock) {
      const sname = a.storage.replace(/List$/, '').replace(/Map$/, '');
      const nested = mod.structAttrs.get(sname);
      if (!nested) throw new Error(`no struct ${sname}`);
      const refCls = `${sname}OutputReference`;
      const inner = buildBlock(ctx, mod, nested, sname, refCls, null);
      const bt = { nesting_mode: a.kind === 'struct' ? 'single' : a.kind, block: inner };
      if (a.kind === 'map') throw new Error(`map block ${a.name}`);
      if (a.kind !== 'struct') {
        const single = !/\[\]/.test(p.type);
        if (single) bt.max_items = 1;
        if (!p.optional) bt.min_items = 1;
      }
      block.block_types[a.name] = bt;
    } else {
      const at = { type: ctyFromStorage(a.kind, a.storage) };
      if (!p.optional) at.required = true;
      else {
        at.optional = true;
        let computed = fl ? fl.computed : false;
        if (ctx.mode === 'data' && topType) computed = true;
        if (topType && ctx.mode === 'resource') {
          if (['id', 'tags_all', 'region'].includes(a.name)) computed = true;
          if (COMPUTED_OPTIONAL.has(`${topType}.${a.name}`)) computed = true;
          if (hclAttrs.some(o => o.name === `${a.name}_prefix`) || (a.name.endsWith('_prefix') && hclAttrs.some(o => o.name === a.name.replace(/_prefix$/, '')))) computed = true;
        }
        if (ctx.mode === 'provider') computed = false;
        if (computed) at.computed = true;
      }
      block.attributes[a.name] = at;
    }
  }
  // computed-only attributes: getters without an argument behind them
  for (const [camel, expr] of ci.getters) {
    if (camel === 'internalValue' || camel.endsWith('Input')) continue;
    const sn = snakeOf(expr, ci.inits, camel);
    if (!sn || argNames.has(sn)) continue;
    if (ctx.mode === 'provider') continue;
    if (ci.setters.has(camel)) throw new Error(`${clsName}.${camel} has a setter but no hcl attribute`);
    block.attributes[sn] = { type: ctyFromGetter(expr, ci.inits, sn, mod), computed: true };
  }
  block.attributes = sortKeys(block.attributes);
  block.block_types = sortKeys(block.block_types);
  if (!Object.keys(block.block_types).length) delete block.block_types;
  if (!Object.keys(block.attributes).length) delete block.attributes;
  return block;
}

function extractType(idx, key) {
  const e = idx.get(key);
  if (!e) throw new Error(`${key} is not in ${PKG}@${PKG_VERSION}`);
  const [mode, type] = key.split(':');
  const mod = parseModule(e.dir);
  const ci = classInfo(mod, e.cls);
  if (!ci.hcl) throw new Error(`${e.cls}: no synthesizeHclAttributes`);
  const hclAttrs = (() => {
    const attrRe = /^\s+"?(\w+)"?: \{\n\s+value: (.*),\n\s+isBlock: (true|false),\n\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",\n\s+\}/gm;
    return [...ci.hcl.matchAll(attrRe)].map(m => ({ name: m[1], prop: /(?:struct\.|this\._)(\w+)/.exec(m[2])[1],
      isBlock: m[3] === 'true', kind: m[4], storage: m[5] }));
  })();
  const block = buildBlock({ mode }, mod, hclAttrs, `${e.cls}Config`, e.cls, type);
  return { version: 0, block };
}

// ---------------------------------------------------------------- main
function check(args) {
  const have = JSON.parse(fs.readFileSync(args.out, 'utf8')).provider_schemas[PROVIDER_SOURCE];
  const want = new Set([...BASE_RESOURCES.map(t => `resource:${t}`), ...BASE_DATA.map(t => `data:${t}`),
    ...typesFromTemplates(args.templates), ...args.extra]);
  const missing = [...want].sort().filter(k => {
    const [mode, type] = k.split(':');
    return !(mode === 'data' ? have.data_source_schemas : have.resource_schemas)[type];
  });
  if (missing.length) {
    die(`${path.relative(process.cwd(), args.out)} lacks ${missing.join(', ')}, which the templates use.\n` +
      `Re-run the extraction (it reads the templates itself):\n  node tfcheck/schema/extract.js ${missing.join(' ')}`);
  }
  log(`${path.relative(process.cwd(), args.out)} has all ${want.size} types that the templates use`);
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.check) return check(args);
  const pkgDir = args.packageDir ? path.resolve(args.packageDir) : fetchPackage();
  const pj = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  if (pj.name !== PKG || pj.version !== PKG_VERSION) die(`${pkgDir} holds ${pj.name}@${pj.version}, want ${PKG}@${PKG_VERSION}`);

  const wanted = new Set([...BASE_RESOURCES.map(t => `resource:${t}`), ...BASE_DATA.map(t => `data:${t}`),
    ...typesFromTemplates(args.templates), ...args.extra]);
  log(`indexing ${pkgDir}/lib`);
  const idx = indexPackage(pkgDir);
  const provIdx = idx.get('provider:aws');
  if (!provIdx) die('provider class not found');
  // provider version from the generator metadata
  const provJs = fs.readFileSync(path.join(idx.get('resource:aws_sqs_queue').dir, 'index.js'), 'utf8');
  const pv = /providerVersion: '([^']+)'/.exec(provJs);
  if (!pv) die('provider version not found in the package');

  const out = { format_version: '1.0', provider_schemas: {} };
  const ps = { provider: null, resource_schemas: {}, data_source_schemas: {} };
  const missing = [];
  try {
    ps.provider = extractType(idx, 'provider:aws');
    for (const key of [...wanted].sort()) {
      if (!idx.has(key)) { missing.push(key); continue; }
      const [mode, type] = key.split(':');
      (mode === 'data' ? ps.data_source_schemas : ps.resource_schemas)[type] = extractType(idx, key);
    }
  } catch (err) {
    die(err.stack || String(err));
  }
  if (missing.length) die(`types not in ${PKG}@${PKG_VERSION}: ${missing.join(', ')}`);
  out.provider_schemas[PROVIDER_SOURCE] = ps;
  out.tfcheck = {
    extracted_by: 'tfcheck/schema/extract.js',
    source_package: `${PKG}@${PKG_VERSION}`,
    provider: 'hashicorp/aws',
    provider_version: pv[1],
    license: 'MPL-2.0 (see LICENSE-aws-schema.txt beside this file)',
  };
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify(out, null, 1) + '\n');
  const notice = path.join(path.dirname(args.out), 'LICENSE-aws-schema.txt');
  fs.writeFileSync(notice, [
    `${path.basename(args.out)} is derived from the npm package ${PKG}@${PKG_VERSION},`,
    `which cdktf generated from the schema of the Terraform provider hashicorp/aws ${pv[1]}.`,
    'Both are published by HashiCorp, Inc. under the Mozilla Public License 2.0.',
    'The JSON file holds the names, types and required/optional/computed flags of the',
    'resources and data sources that wsqgen uses, extracted by tfcheck/schema/extract.js.',
    'The source form of the provider is the GitHub repository hashicorp/terraform-provider-aws;',
    `that of the package is the npm package ${PKG} itself (version ${PKG_VERSION}).`,
    '',
    `The licence text below is copied from that package's LICENSE file.`,
    '',
    '----------------------------------------------------------------------------',
    '',
    fs.readFileSync(path.join(pkgDir, 'LICENSE'), 'utf8').trimEnd(),
    '',
  ].join('\n'));
  log(`wrote ${path.relative(process.cwd(), args.out)}: provider ${pv[1]}, ` +
    `${Object.keys(ps.resource_schemas).length} resources, ${Object.keys(ps.data_source_schemas).length} data sources`);
}

main();
