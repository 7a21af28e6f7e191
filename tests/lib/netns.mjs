// Separate "machines" for network tests, inside the private network namespace the test suite runs
// in (scripts/run-tests.sh starts node under `unshare -n`). Each host is a child network namespace
// held by a sleeping process, joined to the suite's namespace by a veth pair:
//   suite side 10.77.<n>.1/24  <->  host side 10.77.<n>.2/24, default route via 10.77.<n>.1.
// The suite's namespace forwards between hosts, so a server running there is "another machine" to
// each host. Addresses exist only inside these namespaces; nothing reaches the outside network.
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM } from './browser.mjs';

const run = promisify(execFile);

async function sh(cmd, args) {
  try {
    return await run(cmd, args);
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

let forwardingOn = false;

// Refuses to run outside a private namespace: the suite must never touch the machine's own network.
async function assertPrivateNamespace() {
  const { stdout } = await sh('ip', ['-o', 'link', 'show']);
  const links = stdout.split('\n').filter((l) => l.trim()).map((l) => l.split(':')[1].trim().split('@')[0]);
  const foreign = links.filter((l) => l !== 'lo' && !/^vh\d+$/.test(l));
  if (foreign.length) throw new Error(`netns tests must run inside \`unshare -n\` (found interfaces ${foreign.join(', ')})`);
}

export async function createHost(index) {
  await assertPrivateNamespace();
  const holder = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  const pid = holder.pid;
  const own = await readlink('/proc/self/ns/net');
  for (let i = 0; i < 100; i++) {
    const ns = await readlink(`/proc/${pid}/ns/net`).catch(() => own);
    if (ns !== own) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const suiteIf = `vh${index}`;
  const hostIf = `vc${index}`;
  const gateway = `10.77.${index}.1`;
  const ip = `10.77.${index}.2`;
  const inHost = (cmd, args) => sh('nsenter', ['-t', String(pid), '-n', cmd, ...args]);
  await sh('ip', ['link', 'add', suiteIf, 'type', 'veth', 'peer', 'name', hostIf]);
  await sh('ip', ['link', 'set', hostIf, 'netns', String(pid)]);
  await sh('ip', ['addr', 'add', `${gateway}/24`, 'dev', suiteIf]);
  await sh('ip', ['link', 'set', suiteIf, 'up']);
  await inHost('ip', ['link', 'set', 'lo', 'up']);
  await inHost('ip', ['addr', 'add', `${ip}/24`, 'dev', hostIf]);
  await inHost('ip', ['link', 'set', hostIf, 'up']);
  await inHost('ip', ['route', 'add', 'default', 'via', gateway]);
  if (!forwardingOn) {
    await sh('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    forwardingOn = true;
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), `medicall-host${index}-`));
  return {
    index,
    pid,
    ip,
    gateway,
    exec: inHost,
    // Runs a command in the suite's namespace (e.g. tc on this host's suite-side interface).
    suite: sh,
    // An executable that runs Chromium inside this host's namespace (for playwright's executablePath).
    async chromiumPath() {
      const wrapper = path.join(tmp, 'chromium');
      await writeFile(wrapper, `#!/bin/sh\nexec nsenter -t ${pid} -n ${CHROMIUM} "$@"\n`);
      await chmod(wrapper, 0o755);
      return wrapper;
    },
    // Loads an nftables rule set into this host (one statement per line).
    async nft(rules) {
      const file = path.join(tmp, `rules-${Date.now()}.nft`);
      await writeFile(file, rules);
      await inHost('nft', ['-f', file]);
    },
    async flushNft() {
      await inHost('nft', ['flush', 'ruleset']);
    },
    async close() {
      holder.kill('SIGKILL');
      await sh('ip', ['link', 'del', suiteIf]).catch(() => {});
      await rm(tmp, { recursive: true, force: true }).catch(() => {});
    },
  };
}

// nftables rules for a host that may not send UDP at all (a hospital network that blocks it).
export const BLOCK_UDP = `table inet medicall_block_udp {
 chain out {
  type filter hook output priority 0;
  meta l4proto udp drop
 }
}
`;
