// A throwaway certificate authority for TLS tests, made with the openssl tool (Debian package
// openssl, installed by scripts/install-deps.sh): a CA and a server certificate signed by it (for
// 127.0.0.1 and localhost unless told), EC P-256, valid two days. Returns the PEM files' paths.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function makeTestPki(dir, { serverNames = 'IP:127.0.0.1,DNS:localhost' } = {}) {
  await mkdir(dir, { recursive: true });
  const file = (name) => path.join(dir, name);
  await run('openssl', ['req', '-x509', ...EC, '-keyout', file('ca.key'), '-out', file('ca.crt'),
    '-subj', `/CN=MediCall test CA ${path.basename(dir)}`, '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', '-new', ...EC, '-keyout', file('server.key'), '-out', file('server.csr'),
    '-subj', '/CN=redis']);
  await writeFile(file('server.ext'), `subjectAltName=${serverNames}\nextendedKeyUsage=serverAuth\n`);
  await run('openssl', ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'),
    '-set_serial', '2', '-days', '2', '-out', file('server.crt'), '-extfile', file('server.ext')]);
  return { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') };
}
