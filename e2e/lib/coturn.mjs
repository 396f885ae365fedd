// A real coturn (Debian's `turnserver`) of the driver's own, on loopback only, checking TURN REST API
// credentials (--use-auth-secret) with a random shared secret; plus the local TLS certificate of
// docs/deployment.md "TLS" (keytool), which both Payara's HTTPS listener and coturn's TLS listener serve.
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './harness.mjs';

const TURNSERVER = ['/usr/bin/turnserver', '/usr/sbin/turnserver'].find((p) => existsSync(p)) ?? 'turnserver';
const START_TIMEOUT_MS = 15_000;
const STORE_PASSWORD = 'changeit';

/**
 * The documented local certificate (docs/deployment.md "TLS"): a PKCS12 keystore with the key under
 * Payara's alias `s1as`, for CN=localhost and the SANs localhost and 127.0.0.1; its PEM halves for
 * coturn; and the base64 SHA-256 of its SubjectPublicKeyInfo, which Chromium's
 * --ignore-certificate-errors-spki-list takes to trust exactly this certificate.
 */
export function makeLocalCertificate(dir) {
  const keystore = join(dir, 'local-tls.p12');
  execFileSync('keytool', [
    '-genkeypair', '-alias', 's1as', '-keyalg', 'EC', '-groupname', 'secp256r1', '-sigalg', 'SHA256withECDSA',
    '-validity', '30', '-dname', 'CN=localhost', '-ext', 'SAN=dns:localhost,ip:127.0.0.1',
    '-keystore', keystore, '-storetype', 'PKCS12', '-storepass', STORE_PASSWORD, '-keypass', STORE_PASSWORD,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const pass = ['-passin', `pass:${STORE_PASSWORD}`];
  execFileSync('openssl', ['pkcs12', '-in', keystore, ...pass, '-nokeys', '-out', cert], { stdio: 'pipe' });
  execFileSync('openssl', ['pkcs12', '-in', keystore, ...pass, '-nocerts', '-nodes', '-out', key], { stdio: 'pipe' });
  const x509 = new X509Certificate(readFileSync(cert));
  const spki = createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  return {
    keystore, password: STORE_PASSWORD, cert, key, spki, subject: x509.subject, san: x509.subjectAltName,
    payaraProperties: {
      'javax.net.ssl.keyStore': keystore,
      'javax.net.ssl.keyStorePassword': STORE_PASSWORD,
      'javax.net.ssl.keyStoreType': 'PKCS12',
    },
  };
}

async function freePort(type) {
  if (type === 'udp') {
    const s = createSocket('udp4');
    await new Promise((resolve, reject) => s.once('error', reject).bind(0, '127.0.0.1', resolve));
    const { port } = s.address();
    await new Promise((resolve) => s.close(resolve));
    return port;
  }
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** RFC 8489 §5: a Binding request; resolves true when coturn answers with a Binding success. */
function stunBinding(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0);
    request.writeUInt32BE(0x2112a442, 4);
    randomBytes(12).copy(request, 8);
    const done = (ok) => {
      clearTimeout(timer);
      s.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.on('message', (m) => done(m.length >= 20 && m.readUInt16BE(0) === 0x0101 && m.subarray(8, 20).equals(request.subarray(8, 20))));
    s.on('error', () => done(false));
    s.send(request, port, '127.0.0.1');
  });
}

function tcpOpen(port) {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * Starts turnserver on 127.0.0.1: TURN over UDP and TCP on `udpPort`, TURN over TLS on `tlsPort`
 * (with `cert`/`key`), relays on 127.0.0.1 within a 200-port range, loopback peers allowed (coturn
 * denies them by default, and the SFU is on 127.0.0.1 here). Resolves when it answers STUN and TLS.
 */
export async function startCoturn({ dir, cert, key, onCleanup }) {
  const secret = randomBytes(18).toString('base64url');
  const udpPort = await freePort('udp');
  const tlsPort = await freePort('tcp');
  const minPort = 40_000 + Math.floor(Math.random() * 100) * 200;
  const logFile = join(dir, 'turnserver.log');
  const args = [
    '-n', // no configuration file: everything is here
    '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${udpPort}`, `--tls-listening-port=${tlsPort}`,
    `--min-port=${minPort}`, `--max-port=${minPort + 199}`,
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=cheenhub.test', '--fingerprint',
    '--allow-loopback-peers', '--no-multicast-peers', '--no-cli', '--no-dtls', `--cert=${cert}`, `--pkey=${key}`,
    `--log-file=${logFile}`, '--simple-log', '--no-stdout-log', '--verbose', `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--db=${join(dir, 'turndb')}`,
  ];
  const proc = spawn(TURNSERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal)));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    if (!(await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]))) {
      proc.kill('SIGKILL');
      await exited;
    }
  };
  onCleanup(stop);
  const t0 = Date.now();
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`turnserver exited (${await exited}): ${stderr.slice(-500)}; log ${logFile}`);
    }
    if ((await stunBinding(udpPort)) && (await tcpOpen(tlsPort))) break;
    if (Date.now() - t0 > START_TIMEOUT_MS) throw new Error(`turnserver not answering on ${udpPort}/${tlsPort}; log ${logFile}`);
    await sleep(100);
  }
  log(`turnserver ${proc.pid} ready after ${Date.now() - t0} ms: udp/tcp ${udpPort}, tls ${tlsPort}, relays ${minPort}-${minPort + 199}`);
  const log_ = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  return { pid: proc.pid, secret, udpPort, tlsPort, minPort, maxPort: minPort + 199, logFile, log: log_, stop };
}
