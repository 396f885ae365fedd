// The impairment relay (src/loadgen/java/.../relay/RelayMain) as a child process: clients reach the
// server through it (the server advertises the relay's address as its ICE candidate), and the driver
// impairs and heals the link over the relay's HTTP control API. Our child: killed by the clean-up,
// and with --exit-on-stdin-eof it also goes when the driver dies without cleaning up.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { log } from './harness.mjs';

const READY_TIMEOUT_MS = 30_000;

/**
 * Starts `java -cp <jar> ...RelayMain` relaying 127.0.0.1:<free port> to `upstream` ("host:port") and
 * returns { listen, control, set(impairment), stats(), stop() }. `set` takes the PUT /impairment body:
 * {up: {...}, down: {...}} with the fields of Impairment (loss, burstEnter, burstExit, burstLoss,
 * delayMillis, jitterMillis, reorder, bitsPerSecond, queueBytes); {} heals both directions.
 */
export async function startRelay({ jar, upstream }) {
  jar ??= 'target/cheenhub-loadgen.jar';
  if (!existsSync(jar)) throw new Error(`missing ${jar} (E2E_LOADGEN_JAR; mvn -DskipTests package builds it)`);
  const proc = spawn(
    'java',
    ['-cp', jar, 'io.cheenhub.sfu.loadgen.relay.RelayMain', '--listen', '127.0.0.1:0', '--upstream', upstream,
      '--control', '127.0.0.1:0', '--exit-on-stdin-eof', 'true'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal)));
  proc.stderr.on('data', (d) => log(`relay: ${String(d).trimEnd()}`));
  const lines = createInterface({ input: proc.stdout });
  const first = await Promise.race([
    new Promise((resolve) => lines.once('line', resolve)),
    exited.then((how) => Promise.reject(new Error(`relay exited (${how}) before it was ready`))),
    new Promise((_, reject) => setTimeout(() => reject(new Error('relay not ready in time')), READY_TIMEOUT_MS).unref()),
  ]);
  const ready = JSON.parse(first);
  const control = `http://${ready.control}`;
  log(`relay ${proc.pid}: ${ready.listen} -> ${upstream}, control ${control}`);

  const call = async (method, path, body) => {
    const r = await fetch(`${control}${path}`, { method, body: body == null ? undefined : JSON.stringify(body) });
    const json = await r.json();
    if (!r.ok) throw new Error(`relay ${method} ${path}: ${r.status} ${json.error ?? JSON.stringify(json)}`);
    return json;
  };
  return {
    listen: ready.listen,
    control,
    set: (impairment) => call('PUT', '/impairment', impairment),
    stats: () => call('GET', '/stats'),
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
