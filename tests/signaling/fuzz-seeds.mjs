// Writes the seed corpus of signaling_fuzzer (server/fuzz/corpus/signaling_fuzzer/): frames exactly
// as the SDK's DefaultSignalingClient sends them, plus one sequence joined with the fuzzer's "MCFZ"
// separator. Run: node tests/signaling/fuzz-seeds.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../package.json', import.meta.url));
const sdk = (p) => require(`amazon-chime-sdk-js/build/${p}`);
const P = sdk('signalingprotocol/SignalingProtocol.js');
const DefaultSignalingClient = sdk('signalingclient/DefaultSignalingClient').default;
const SignalingClientJoin = sdk('signalingclient/SignalingClientJoin').default;
const SignalingClientSubscribe = sdk('signalingclient/SignalingClientSubscribe').default;
const WebSocketReadyState = sdk('websocketadapter/WebSocketReadyState').default;
const NoOpLogger = sdk('logger/NoOpLogger').default;

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../../server/fuzz/corpus/signaling_fuzzer');
mkdirSync(out, { recursive: true });

const sent = [];
const ws = { readyState: () => WebSocketReadyState.Open, send: (b) => (sent.push(Buffer.from(b)), true),
  create() {}, close() {}, destroy() {}, addEventListener() {}, removeEventListener() {} };
const client = new DefaultSignalingClient(ws, new NoOpLogger());
client.wasOpened = true;
client.isClosing = false;

const seeds = {};
const take = (name) => (seeds[name] = sent[sent.length - 1]);
const join = new SignalingClientJoin();
join.browserBehavior = { name: () => 'chrome', version: () => '156.0.8078.79', osName: () => 'Linux' };
client.join(join); take('sdk-join');
const offer = readFileSync(path.join(here, 'samples/subscribe-1-publish.offer.sdp'), 'utf8');
client.subscribe(new SignalingClientSubscribe('c9bfb864-fb8c-410f-8d54-584c9cdbe579', offer, '127.0.0.1:3478',
  false, false, [0], false, [], true, undefined)); take('sdk-subscribe');
client.pingPong(P.SdkPingPongFrame.create({ type: P.SdkPingPongType.PING, pingId: 1 })); take('sdk-ping');
client.mute(true); take('sdk-mute');
client.sendDataMessage(P.SdkDataMessageFrame.create({ messages: [{ topic: 'chat', data: Buffer.from('hi'), lifetimeMs: 1000 }] }));
take('sdk-data-message');
client.sendClientMetrics(P.SdkClientMetricFrame.create({ globalMetrics: [{ type: P.SdkMetric.Type.STUN_RTT_MS, value: 12 }] }));
take('sdk-client-metric');
client.pause([10]); take('sdk-pause');
client.leave(); take('sdk-leave');

for (const [name, bytes] of Object.entries(seeds)) writeFileSync(path.join(out, name), bytes);
const marker = Buffer.from('MCFZ');
const sequence = ['sdk-subscribe', 'sdk-mute', 'sdk-data-message', 'sdk-ping', 'sdk-pause', 'sdk-leave']
  .flatMap((n, i) => (i ? [marker, seeds[n]] : [seeds[n]]));
writeFileSync(path.join(out, 'sdk-sequence'), Buffer.concat(sequence));
console.log(`wrote ${Object.keys(seeds).length + 1} seeds to ${out}`);
