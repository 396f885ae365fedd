// A Payara Micro of our own (server restart, impaired network): started from the packaged WAR on a free
// loopback HTTP port, killed, and started again on the same port, with the test settings of
// src/test/resources/arquillian.xml plus any the driver adds. Our child in the foreground: nothing
// outlives the driver.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './harness.mjs';

const START_TIMEOUT_MS = Number(process.env.E2E_SERVER_START_TIMEOUT_MS ?? 240_000);
// The same settings as the Arquillian server (src/test/resources/arquillian.xml), including its
// 4 s reconnect grace: with the 15 s default, a page whose socket dropped without a close frame
// stayed in its room exactly as long as the after-scenario check waits (seen in CI).
const PROPERTIES = [
  '-Dsfu.room.max-participants=20', '-Dsfu.signaling.ping-interval-ms=1000', '-Dsfu.signaling.idle-timeout-ms=3000',
  '-Dsfu.media.bind-address=127.0.0.1', '-Dsfu.media.port=0', '-Dsfu.media.connect-timeout-ms=8000',
  '-Dsfu.media.consent-timeout-ms=8000', '-Dsfu.signaling.reconnect-grace-ms=4000',
  '-Dsfu.auth.anonymous=true',
];

/** A UDP port free on 127.0.0.1 right now (for a fixed sfu.media.port the relay can point at). */
export async function freeUdpPort() {
  const socket = createSocket('udp4');
  await new Promise((resolve, reject) => socket.once('error', reject).bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise((resolve) => socket.close(resolve));
  return port;
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The run configuration's pre-boot commands (payara/), wherever the driver runs from. */
const PRE_BOOT_COMMANDS = fileURLToPath(new URL('../../payara/pre-boot-commands.asadmin', import.meta.url));

/**
 * Starts the server and waits until it is ready. `properties` ({'sfu.media.port': 40000, …}) are
 * added as -D options and replace the defaults above with the same key. `ssl: true` also opens
 * Payara's HTTPS listener on a free port (`--sslport`; its certificate comes from the keystore named
 * by the javax.net.ssl.* properties, or Payara's built-in one): `httpsBaseUrl` is then the page over
 * https. For a cluster member (lib/cluster.mjs): a fixed `port`, `jvmArgs` (-Xmx…), `payaraArgs` (--clustermode …),
 * `hazelcast: true` (no --nohazelcast) and `contextRoot: '/'`.
 */
export async function startPayaraMicro({
  dir, war, jar, properties = {}, ssl = false, port = null, jvmArgs = [], payaraArgs = [], hazelcast = false, contextRoot = null,
}) {
  jar ??= join(homedir(), '.m2/repository/fish/payara/extras/payara-micro/6.2025.10/payara-micro-6.2025.10.jar');
  war ??= 'target/cheenhub-sfu.war';
  for (const f of [jar, war]) if (!existsSync(f)) throw new Error(`missing ${f} (E2E_MICRO_JAR / E2E_WAR)`);
  mkdirSync(dir, { recursive: true });
  port ??= await freePort();
  const sslPort = ssl ? await freePort() : null;
  const origin = `http://127.0.0.1:${port}`;
  const baseUrl = contextRoot === '/' ? `${origin}/` : `${origin}/cheenhub-sfu/`;
  let proc = null;
  let starts = 0;
  // A server that requires tokens lets only the origins in sfu.signaling.allowed-origins open /ws (no same
  // origin by Host: docs/security.md). The pages load from this server itself, so list its own origins.
  if (String(properties['sfu.auth.anonymous']) === 'false' && !('sfu.signaling.allowed-origins' in properties)) {
    const own = [origin, ...(sslPort ? [`https://127.0.0.1:${sslPort}`] : [])];
    properties = { ...properties, 'sfu.signaling.allowed-origins': own.join(',') };
  }
  const extra = Object.entries(properties).map(([k, v]) => `-D${k}=${v}`);
  const options = [...PROPERTIES.filter((p) => !(p.slice(2, p.indexOf('=')) in properties)), ...extra];

  const ready = async () => {
    try {
      const [health, page] = await Promise.all([fetch(`${origin}/health/ready`), fetch(baseUrl)]);
      return health.ok && page.ok;
    } catch {
      return false;
    }
  };

  const start = async () => {
    starts++;
    const t0 = Date.now();
    const out = createWriteStream(join(dir, `payara-${starts}.log`));
    proc = spawn(
      'java',
      [...jvmArgs, ...options, '-jar', jar, ...(hazelcast ? [] : ['--nohazelcast']), '--disablephonehome',
        '--prebootcommandfile', PRE_BOOT_COMMANDS, '--port', String(port),
        ...(sslPort ? ['--sslport', String(sslPort)] : []), ...payaraArgs,
        '--rootdir', join(dir, `root-${starts}`), '--deploy', war,
        ...(contextRoot ? ['--contextroot', contextRoot] : [])],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout.pipe(out);
    proc.stderr.pipe(out);
    const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal)));
    proc.exited = exited;
    while (!(await ready())) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`payara micro exited (${await exited}) before ready; see ${join(dir, `payara-${starts}.log`)}`);
      }
      if (Date.now() - t0 > START_TIMEOUT_MS) {
        // Not yet ours to clean up (startOwnServer registers the stop after the first start): kill it here.
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`payara micro not ready on ${port} after ${START_TIMEOUT_MS} ms`);
      }
      await sleep(100);
    }
    const ms = Date.now() - t0;
    log(`payara micro ${proc.pid} ready on ${baseUrl} after ${ms} ms`);
    return ms;
  };

  const kill = async (signal = 'SIGKILL') => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    const stopped = await Promise.race([proc.exited.then(() => true), sleep(20_000).then(() => false)]);
    if (!stopped) {
      proc.kill('SIGKILL');
      await proc.exited;
    }
  };

  await start();
  const httpsBaseUrl = sslPort ? `https://127.0.0.1:${sslPort}/cheenhub-sfu/` : null;
  // stop: SIGTERM, the server drains (clients told to reconnect, sockets closed with 1012).
  const alive = () => proc != null && proc.exitCode === null && proc.signalCode === null;
  return {
    baseUrl, origin, httpsBaseUrl, port, sslPort, start, kill, alive, stop: () => kill('SIGTERM'),
    pid: () => proc?.pid,
    logFile: () => join(dir, `payara-${starts}.log`),
  };
}

/**
 * The driver's own server with its logs under $E2E_LOG_DIR (kept for a failed IT run) or the driver's
 * temp dir; stopped by the driver's clean-up. Env: E2E_WAR, E2E_MICRO_JAR.
 */
export async function startOwnServer({ tmp, onCleanup, seen, properties, ssl }) {
  const dir = process.env.E2E_LOG_DIR ? join(process.env.E2E_LOG_DIR, `payara-${Date.now()}`) : join(tmp, 'payara');
  const payara = await startPayaraMicro({ dir, war: process.env.E2E_WAR, jar: process.env.E2E_MICRO_JAR, properties, ssl });
  seen.serverLogs = dir;
  onCleanup(() => payara.stop());
  return payara;
}
