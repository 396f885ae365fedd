// A Data Grid cluster of Payara Micro instances for the cluster drivers (../cluster.mjs, ../cascade.mjs): tcpip
// discovery on free loopback grid ports, --nohostaware, one loopback interface, context root `/`, -Xmx384m, each
// instance with its own HTTP port, `sfu.cluster.instance` (n0, n1, …) and public URL, and the cluster's shared
// secret. Started one after another (JVMs booting at once on two cores take longer than in turn); each instance
// is registered with the driver's clean-up as soon as it runs.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePort, startPayaraMicro } from './payara.mjs';
import { until } from './voice.mjs';

/**
 * Starts `size` instances with their logs under `logDir/n<k>`; `properties(n)` adds -D settings for instance n
 * (replacing the ones here with the same key). Returns the instances (lib/payara.mjs handles: `start()` again on
 * the same ports after a kill), `members(n)` (the cluster size instance n's readiness `cluster` check reports,
 * 0 when it does not answer) and `whole()` (waits until every instance counts `size` members).
 */
export async function startCluster({ size, logDir, onCleanup, properties = () => ({}) }) {
  const httpPorts = [];
  const gridPorts = [];
  for (let n = 0; n < size; n++) {
    httpPorts.push(await freePort());
    gridPorts.push(await freePort());
  }
  const grid = gridPorts.map((p) => `127.0.0.1:${p}`).join(',');
  const name = `e2e-${randomUUID().slice(0, 8)}`;
  const secret = randomUUID();
  const instances = [];
  for (let n = 0; n < size; n++) {
    const instance = await startPayaraMicro({
      dir: join(logDir, `n${n}`),
      war: process.env.E2E_WAR,
      jar: process.env.E2E_MICRO_JAR,
      port: httpPorts[n],
      contextRoot: '/',
      hazelcast: true,
      jvmArgs: ['-Xmx384m'],
      properties: {
        'hazelcast.socket.bind.any': false,
        'hazelcast.shutdownhook.enabled': false,
        'sfu.cluster.enabled': true,
        'sfu.cluster.instance': `n${n}`,
        'sfu.cluster.public-url': `http://127.0.0.1:${httpPorts[n]}/`,
        'sfu.cluster.secret': secret,
        ...properties(n),
      },
      payaraArgs: [
        '--name', `n${n}`, '--clustername', name, '--clustermode', `tcpip:${grid}`,
        '--startport', String(gridPorts[n]), '--interfaces', '127.0.0.1', '--nohostaware',
      ],
    });
    instances.push(instance);
    onCleanup(() => instance.kill());
  }
  const members = async (n) => {
    const r = await fetch(`${instances[n].origin}/health/ready`).catch(() => null);
    const check = r && (await r.json().catch(() => null))?.checks?.find((c) => c.name === 'cluster');
    return Number(check?.data?.members ?? 0);
  };
  const whole = () => until('every instance sees the whole cluster', 60_000, async () => {
    const sizes = await Promise.all(instances.map((_, n) => members(n)));
    return sizes.every((s) => s === size);
  }, () => '', 250);
  return { instances, members, whole };
}
