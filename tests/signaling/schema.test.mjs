// Our server/src/signaling/SignalingProtocol.proto against the SDK's generated module: same messages,
// same enums, and for every field the same name, number, label, type and default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { loadSdkSchema } from './sdk-schema.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const protobuf = require('protobufjs');
const protoPath = fileURLToPath(new URL('../../server/src/signaling/SignalingProtocol.proto', import.meta.url));
const kPackage = 'medicall.signaling.proto';

const sdk = loadSdkSchema();
// keepCase: compare the proto's snake_case names, not protobufjs' camelCase ones.
const root = new protobuf.Root();
protobuf.parse(readFileSync(protoPath, 'utf8'), root, { keepCase: true });
root.resolveAll();
const pkg = root.lookup(kPackage);

function shortName(fullName) {
  return fullName.replace(/^\./, '').replace(`${kPackage}.`, '');
}

test('the SDK module yields a plausible schema', () => {
  assert.ok(sdk.messages.size >= 50, `only ${sdk.messages.size} messages read`);
  assert.equal(sdk.messages.get('SdkSignalFrame').fields[0].name, 'timestamp_ms');
  assert.ok(root.lookupType(`${kPackage}.SdkSignalFrame`));
});

test('same top-level enums with the same values', () => {
  const ourEnums = pkg.nestedArray.filter((n) => n instanceof protobuf.Enum).map((e) => e.name).sort();
  assert.deepEqual(ourEnums, [...sdk.enums.keys()].sort());
  for (const [name, values] of sdk.enums) {
    const e = pkg.lookupEnum(name);
    assert.deepEqual(Object.entries(e.values).map(([n, id]) => ({ name: n, id })), values, name);
  }
});

test('same messages', () => {
  const ourMessages = pkg.nestedArray.filter((n) => n instanceof protobuf.Type).map((t) => t.name).sort();
  assert.deepEqual(ourMessages, [...sdk.messages.keys()].sort());
});

for (const msg of sdk.messages.values()) {
  test(`message ${msg.name}: fields and nested enums`, () => {
    const type = pkg.lookupType(msg.name);
    const nestedEnums = type.nestedArray.filter((n) => n instanceof protobuf.Enum);
    assert.deepEqual(nestedEnums.map((e) => e.name).sort(), [...msg.enums.keys()].sort());
    for (const [name, values] of msg.enums) {
      const e = type.lookupEnum(name);
      assert.deepEqual(Object.entries(e.values).map(([n, id]) => ({ name: n, id })), values, `${msg.name}.${name}`);
    }
    const ourFields = type.fieldsArray.map((f) => {
      const label = f.repeated ? 'repeated' : f.required ? 'required' : 'optional';
      const typeName = f.resolvedType ? shortName(f.resolvedType.fullName) : f.type;
      const def = f.options && f.options.default !== undefined ? String(f.options.default) : undefined;
      return { id: f.id, name: f.name, label, typeName, defaultValue: def, packed: f.repeated && f.packed };
    });
    const sdkFields = msg.fields.map((f) => ({
      id: f.id,
      name: f.name,
      label: f.label,
      typeName: f.typeName,
      defaultValue: f.defaultValue,
      // proto2 repeated scalars are not packed unless asked; the SDK encodes them one tag per element.
      packed: f.label === 'repeated' && f.kind !== 'message' && !['string', 'bytes'].includes(f.typeName) && f.wireType === 2,
    }));
    const byId = (a, b) => a.id - b.id;
    assert.deepEqual(ourFields.sort(byId), sdkFields.sort(byId));
  });
}
