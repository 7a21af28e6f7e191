// Reads the wire schema out of the SDK's generated protobufjs module
// (amazon-chime-sdk-js/build/signalingprotocol/SignalingProtocol.js): every message with its fields
// (id, label, type, default) and every enum with its values. The generated encoder is the ground truth
// for what the client puts on the wire, so server/src/signaling/SignalingProtocol.proto is checked
// against it (schema.test.mjs). Run directly to print a proto2 rendering for review:
//   node tests/signaling/sdk-schema.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../package.json', import.meta.url));
export const sdkModulePath = require.resolve('amazon-chime-sdk-js/build/signalingprotocol/SignalingProtocol.js');

// protobufjs camelCases `snake_case` field names; undo it.
export function toSnake(name) {
  return name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

function parseEnumBlock(lines, start) {
  const values = [];
  for (let i = start; i < lines.length; ++i) {
    const m = lines[i].match(/values\[valuesById\[(-?\d+)\] = "([A-Z0-9_]+)"\] = (-?\d+);/);
    if (m) values.push({ name: m[2], id: Number(m[1]) });
    if (/^\s*\}\)\(\);/.test(lines[i])) return { values, end: i };
  }
  throw new Error('unterminated enum block at line ' + start);
}

export function loadSdkSchema(path = sdkModulePath) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const messages = new Map(); // name -> { name, fields: [], enums: Map }
  const enums = new Map(); // top-level enum name -> values
  let current = null;
  for (let i = 0; i < lines.length; ++i) {
    const line = lines[i];
    let m = line.match(/^\$root\.(\w+) = \(function\(\) \{/);
    if (m) {
      if (/valuesById/.test(lines[i + 1])) {
        const { values, end } = parseEnumBlock(lines, i + 1);
        enums.set(m[1], values);
        i = end;
        current = null;
      } else {
        current = { name: m[1], fields: [], enums: new Map(), jsdocTypes: new Map(), defaults: new Map() };
        messages.set(m[1], current);
      }
      continue;
    }
    if (!current) continue;
    m = line.match(/^ {4}(\w+)\.(\w+) = \(function\(\) \{/);
    if (m && m[1] === current.name) {
      const { values, end } = parseEnumBlock(lines, i + 1);
      current.enums.set(m[2], values);
      i = end;
      continue;
    }
    m = line.match(/^ {5}\* @property \{([^}]+)\} \[?(\w+)\]?/);
    if (m) current.jsdocTypes.set(m[2], m[1].replace(/\|null$/, ''));
    m = line.match(new RegExp(`^ {4}${current.name}\\.prototype\\.(\\w+) = (.+);$`));
    if (m) current.defaults.set(m[1], m[2]);
    if (new RegExp(`^ {4}${current.name}\\.encode = function`).test(line)) {
      for (let j = i + 1; !/^ {4}\};/.test(lines[j]); ++j) {
        const l = lines[j];
        const f = l.match(/\/\* id (\d+), wireType (\d) =\*\/\d+\)/);
        if (!f) continue;
        const id = Number(f[1]);
        const wireType = Number(f[2]);
        let kind, jsName, typeName;
        const sub = l.match(/\$root\.(\w+)\.encode\(message\.(\w+)(\[i\])?,/);
        if (sub) {
          kind = 'message';
          typeName = sub[1];
          jsName = sub[2];
        } else {
          const s = l.match(/\.(\w+)\(message\.(\w+)(\[i\])?\);$/);
          if (!s) throw new Error(`cannot read field at line ${j + 1}: ${l}`);
          kind = 'scalar';
          typeName = s[1];
          jsName = s[2];
        }
        const prev = lines[j - 1];
        let label;
        if (/^\s*for \(/.test(prev)) label = 'repeated';
        else if (/^\s*if \(message\.\w+ != null && Object\.hasOwnProperty/.test(prev)) label = 'optional';
        else label = 'required';
        current.fields.push({ id, wireType, kind, jsName, typeName, label });
      }
    }
  }
  // Resolve enum-typed fields (encoded as int32) from the JSDoc property types.
  const enumNames = new Set(enums.keys());
  for (const msg of messages.values()) for (const e of msg.enums.keys()) enumNames.add(`${msg.name}.${e}`);
  for (const msg of messages.values()) {
    for (const f of msg.fields) {
      f.name = toSnake(f.jsName);
      const doc = (msg.jsdocTypes.get(f.jsName) || '').replace(/^Array\.<(.+)>$/, '$1');
      if (f.kind === 'scalar' && enumNames.has(doc)) {
        f.kind = 'enum';
        f.typeName = doc;
      }
      const def = msg.defaults.get(f.jsName);
      f.defaultValue = undefined;
      if (f.label !== 'repeated' && def !== undefined) {
        if (f.kind === 'enum') {
          const [owner, inner] = f.typeName.includes('.') ? f.typeName.split('.') : [null, f.typeName];
          const values = owner ? messages.get(owner).enums.get(inner) : enums.get(inner);
          const v = values.find((x) => String(x.id) === def);
          if (!v) throw new Error(`bad enum default ${def} for ${msg.name}.${f.jsName}`);
          if (v !== values[0]) f.defaultValue = v.name;
        } else if (/^-?\d+(\.\d+)?$/.test(def) && Number(def) !== 0) {
          f.defaultValue = def;
        } else if (def === 'true') {
          f.defaultValue = 'true';
        } else if (/^".+"$/.test(def)) {
          f.defaultValue = def;
        } else {
          const lm = def.match(/Long\.fromBits\((-?\d+),(-?\d+),(true|false)\)/);
          if (lm && (lm[1] !== '0' || lm[2] !== '0')) f.defaultValue = `${lm[1]}+${lm[2]}<<32`;
        }
      }
    }
  }
  return { messages, enums };
}

function renderEnum(name, values, indent) {
  const out = [`${indent}enum ${name} {`];
  for (const v of values) out.push(`${indent}  ${v.name} = ${v.id};`);
  out.push(`${indent}}`);
  return out.join('\n');
}

export function renderProto(schema) {
  const out = ['syntax = "proto2";', ''];
  for (const [name, values] of schema.enums) out.push(renderEnum(name, values, ''), '');
  for (const msg of schema.messages.values()) {
    out.push(`message ${msg.name} {`);
    for (const [e, values] of msg.enums) out.push(renderEnum(e, values, '  '));
    for (const f of msg.fields) {
      const def = f.defaultValue !== undefined ? ` [default = ${f.defaultValue}]` : '';
      out.push(`  ${f.label} ${f.typeName} ${f.name} = ${f.id}${def};`);
    }
    out.push('}', '');
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(renderProto(loadSdkSchema()));
}
