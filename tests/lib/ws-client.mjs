// A small RFC 6455 client for talking to the signaling endpoint from node without a browser
// (node 20 has no WebSocket global). Binary messages only, masked as a client must, no fragments.
//
//   const ws = await WsClient.connect(port, `/control/${meetingId}`, ['_aws_wt_session', token]);
//   ws.sendBinary(bytes);
//   const message = await ws.nextMessage((m) => m[0] === 0x05, 2000);
//   ws.close();
import crypto from 'node:crypto';
import net from 'node:net';

export class WsClient {
  // Resolves once the server answered the upgrade with 101; rejects with the status otherwise.
  static connect(port, path, protocols = []) {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const client = new WsClient(socket);
      let head = Buffer.alloc(0);
      const onHandshake = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHandshake);
        const status = Number(head.subarray(0, end).toString().split(' ')[1]);
        if (status !== 101) {
          socket.destroy();
          reject(new Error(`upgrade answered ${status}`));
          return;
        }
        socket.on('data', (d) => client.onData(d));
        client.onData(head.subarray(end + 4));
        resolve(client);
      };
      socket.on('data', onHandshake);
      socket.on('error', reject);
      socket.on('connect', () => {
        const key = crypto.randomBytes(16).toString('base64');
        const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
          `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13'];
        if (protocols.length) lines.push(`Sec-WebSocket-Protocol: ${protocols.join(', ')}`);
        socket.write(lines.join('\r\n') + '\r\n\r\n');
      });
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    this.messages = [];  // binary and text payloads received, in order
    this.waiters = [];
    this.closeCode = null;
    socket.on('close', () => this.wake());
  }

  onData(chunk) {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.pending.length < 2) return;
      let length = this.pending[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.pending.length < 4) return;
        length = this.pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.pending.length < 10) return;
        length = Number(this.pending.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.pending.length < offset + length) return;
      const opcode = this.pending[0] & 0x0f;
      const payload = this.pending.subarray(offset, offset + length);
      this.pending = this.pending.subarray(offset + length);
      if (opcode === 0x8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      else if (opcode === 0x1 || opcode === 0x2) this.messages.push(Buffer.from(payload));
      this.wake();
    }
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  // The first message received (now or later) that `match` accepts, removed from `messages`.
  async nextMessage(match = () => true, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(match);
      if (i >= 0) return this.messages.splice(i, 1)[0];
      if (this.socket.destroyed || this.closeCode !== null) throw new Error(`socket closed (${this.closeCode})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  sendFrame(opcode, payload) {
    const mask = crypto.randomBytes(4);
    const n = payload.length;
    let header;
    if (n < 126) header = Buffer.from([0x80 | opcode, 0x80 | n]);
    else if (n < 65536) header = Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff]);
    else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(n), 2);
    }
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
    this.socket.write(Buffer.concat([header, mask, body]));
  }

  sendBinary(payload) { this.sendFrame(0x2, payload); }

  close() {
    if (!this.socket.destroyed) {
      this.sendFrame(0x8, Buffer.from([0x03, 0xe8]));
      this.socket.end();
    }
  }
}
