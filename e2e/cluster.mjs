// Issue 18's failover proof with real media: three Payara Micro instances on the Data Grid (tcpip discovery on
// loopback ports, own media ports), a TCP load balancer in front of them (lib/balancer.mjs: the pages' origin), and
// two Chromium pages talking in one room. The instance that holds the room is killed with SIGKILL, E2E_CLUSTER_KILLS
// times (default 5); each time both pages must hear each other again (FFT of the received audio, on their own: the
// web client reconnects through the balancer, the surviving instance re-places the room, a `redirect` may follow),
// and the killed instance is started again and rejoins the grid before the next kill.
//
// Usage: node cluster.mjs - <roomId>     (env E2E_WAR, E2E_MICRO_JAR, E2E_LOG_DIR as for the restart scenario)
// Output contract: lib/harness.mjs. The JSON has `kills`: per kill the instance killed, where the room went and the
// times from the kill: the pages' sockets closed, rejoined, audio both ways, the right tones verified.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBalancer } from './lib/balancer.mjs';
import { startCluster } from './lib/cluster.mjs';
import { log, run } from './lib/harness.mjs';
import { freePort } from './lib/payara.mjs';
import { Participant, ServerView, TONES, audioBack, everyoneHearsEveryone, launchChromium, until } from './lib/voice.mjs';

const INSTANCES = 3;
const KILLS = Number(process.env.E2E_CLUSTER_KILLS ?? 5);
/** The bound: clients hear each other within 5 s after the death is detected, detection within 5 s. */
const AUDIO_BACK_LIMIT_MS = 10_000;

await run('cluster', async ({ roomId, tmp, onCleanup, seen }) => {
  const logDir = process.env.E2E_LOG_DIR ? join(process.env.E2E_LOG_DIR, `cluster-${Date.now()}`) : join(tmp, 'cluster');
  seen.serverLogs = logDir;
  // The pages load from the balancer; after a redirect they talk to an instance directly, which must accept the
  // balancer's origin (docs/deployment.md: sfu.signaling.allowed-origins in a cluster).
  const balancerPort = await freePort();
  const { instances, members: clusterSize, whole } = await startCluster({
    size: INSTANCES, logDir, onCleanup,
    properties: () => ({ 'sfu.signaling.allowed-origins': `http://127.0.0.1:${balancerPort}` }),
  });
  const views = instances.map((i) => new ServerView(i.baseUrl));
  await whole();

  const balancer = await startBalancer(() =>
    instances.filter((i) => i.alive()).map((i) => ({ host: '127.0.0.1', port: i.port })), balancerPort);
  onCleanup(balancer.close);
  const baseUrl = `${balancer.origin}/`;

  const { newContext } = await launchChromium({ onCleanup, seen });
  const pages = [];
  onCleanup(async () => {
    for (const p of pages) await p.close();
  });
  for (const [i, who] of ['Ada', 'Bob'].entries()) {
    pages.push(await Participant.open({ newContext, baseUrl, roomId, name: who, hz: TONES[i] }));
  }
  const [ada, bob] = pages;
  for (const p of pages) await p.joined(30_000);
  await everyoneHearsEveryone(pages, 20_000);

  /** The instance holding the room: the live one whose REST view has both pages in it. */
  const holder = async () => {
    let found = null;
    await until(`an instance holds ${roomId} with both pages`, 15_000, async () => {
      for (const [n, instance] of instances.entries()) {
        if (!instance.alive()) continue;
        const room = await views[n].room(roomId).catch(() => null);
        if ((room?.participants?.length ?? 0) === 2) {
          found = n;
          return true;
        }
      }
      return false;
    }, () => '', 100);
    return found;
  };

  seen.kills = [];
  for (let k = 0; k < KILLS; k++) {
    const victim = await holder();
    const before = await Promise.all([ada.state(), bob.state()]);
    log(`kill ${k + 1}/${KILLS}: SIGKILL of n${victim}, which holds ${roomId}`);
    const t0 = Date.now();
    await instances[victim].kill('SIGKILL');
    // Detected: every surviving instance's grid view has lost the killed member.
    const detected = until(`the others see n${victim} gone`, 15_000, async () => {
      const sizes = await Promise.all(instances.map((i, n) => (i.alive() ? clusterSize(n) : INSTANCES - 1)));
      return sizes.every((s) => s === INSTANCES - 1);
    }, () => '', 50).then(() => Date.now() - t0);
    const r = await audioBack([ada, bob], t0, {
      limitMs: AUDIO_BACK_LIMIT_MS,
      ready: (a, b) => a.reconnects > before[0].reconnects && b.reconnects > before[1].reconnects,
    });
    const detectedMs = await detected;
    const now = await holder();
    seen.kills.push({ killed: `n${victim}`, movedTo: `n${now}`, detectedMs, ...r.timing });
    log(`kill ${k + 1}: room moved n${victim} → n${now}; death seen by the grid after ${detectedMs} ms; rejoined ${r.timing.rejoinedMs} ms, audio both ways ${r.timing.audioBothWaysMs} ms after the kill`);
    if (now === victim) throw new Error(`the room is on n${victim} again, which was killed`);
    log(`starting n${victim} again`);
    seen.kills.at(-1).restartMs = await instances[victim].start();
    await whole();
    await sleep(500);
  }
  const ms = seen.kills.map((x) => x.audioBothWaysMs).sort((a, b) => a - b);
  seen.audioBothWaysMs = { min: ms[0], median: ms[Math.floor(ms.length / 2)], max: ms.at(-1) };
  return {};
});
