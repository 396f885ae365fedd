// Issue 8's TURN and TLS proof in real headless Chromium, against a real coturn. The driver makes the
// documented local certificate (lib/coturn.mjs, docs/deployment.md "TLS"), starts coturn on loopback
// with a random REST API secret (TURN over UDP/TCP and over TLS with that certificate), and its own
// Payara Micro with the HTTPS listener on that certificate and sfu.turn.* pointing at coturn. Chromium
// trusts exactly that certificate (--ignore-certificate-errors-spki-list), and every page is loaded
// over https, so signaling is wss.
//
// Scenarios (each in a room of its own):
//   relay-udp  Ada is forced to iceTransportPolicy 'relay' (?relay=1) with only the turn: URL, Bob is
//              direct; each hears the other's tone; Ada's selected pairs (publish and subscribe) are
//              relay/udp, Bob's are not relay; coturn logged Ada's REST username; a credential with one
//              byte changed gets no relay candidate (coturn's 401), the real one does.
//   relay-tls  the same with only the turns: URL: Ada's selected pairs are relay/tls.
//   selftest   selftest.html (with TURN) over https: every check passes; run again with the TURN credential
//              damaged in the page, only the TURN check fails, with the credentials diagnosis.
// Usage: E2E_WAR=... node turn.mjs - <roomPrefix> [scenario,...]   (output contract: lib/harness.mjs)
import { log, run } from './lib/harness.mjs';
import { makeLocalCertificate, startCoturn } from './lib/coturn.mjs';
import { startOwnServer } from './lib/payara.mjs';
import { Participant, TONES, everyoneHearsEveryone, launchChromium, until } from './lib/voice.mjs';

const TTL_SECONDS = 600;
const SCENARIOS = ['relay-udp', 'relay-tls', 'selftest'];
const SELFTEST_TIMEOUT_MS = 60_000;

/** Init script: keeps only the ICE server URLs that start with `prefix` (to pin TURN/UDP or TURN/TLS). */
function onlyTurnUrls(prefix) {
  const Original = window.RTCPeerConnection;
  function Filtered(config, ...rest) {
    if (config?.iceServers) {
      config = {
        ...config,
        iceServers: config.iceServers.map((s) => ({ ...s, urls: [].concat(s.urls).filter((u) => u.startsWith(prefix)) })),
      };
    }
    return new Original(config, ...rest);
  }
  Filtered.prototype = Original.prototype;
  window.RTCPeerConnection = Filtered;
}

/** Init script: every TURN credential handed to a PeerConnection gets its first character changed. */
function breakTurnCredentials() {
  const Original = window.RTCPeerConnection;
  function Broken(config, ...rest) {
    if (config?.iceServers) {
      config = {
        ...config,
        iceServers: config.iceServers.map((s) => (s.credential ? { ...s, credential: (s.credential[0] === 'A' ? 'B' : 'A') + s.credential.slice(1) } : s)),
      };
    }
    return new Original(config, ...rest);
  }
  Broken.prototype = Original.prototype;
  window.RTCPeerConnection = Broken;
}

/** In the page: the selected candidate pair of both PeerConnections, local and remote side. */
async function selectedPairs() {
  const out = {};
  for (const [name, pc] of [['publish', window.cheenhub.publishPeerConnection()], ['subscribe', window.cheenhub.subscribePeerConnection()]]) {
    if (!pc) continue;
    const all = new Map();
    (await pc.getStats()).forEach((s) => all.set(s.id, s));
    const transport = [...all.values()].find((s) => s.type === 'transport');
    const pair = all.get(transport?.selectedCandidatePairId);
    const local = all.get(pair?.localCandidateId);
    const remote = all.get(pair?.remoteCandidateId);
    out[name] = {
      state: pc.connectionState,
      iceTransportPolicy: pc.getConfiguration().iceTransportPolicy,
      local: local && { type: local.candidateType, protocol: local.protocol, relayProtocol: local.relayProtocol ?? null, address: `${local.address}:${local.port}`, url: local.url ?? null },
      remote: remote && { type: remote.candidateType, address: `${remote.address}:${remote.port}` },
      bytesSent: pair?.bytesSent ?? 0,
      bytesReceived: pair?.bytesReceived ?? 0,
    };
  }
  return out;
}

/** In the page: gathers with iceTransportPolicy 'relay' and the given servers; counts relay candidates and errors. */
async function gatherRelay(iceServers) {
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
  const relay = [];
  const errors = [];
  pc.onicecandidate = (e) => e.candidate && relay.push(e.candidate.candidate);
  pc.onicecandidateerror = (e) => errors.push({ code: e.errorCode, text: e.errorText, url: e.url });
  pc.createDataChannel('probe');
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 8000);
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && (clearTimeout(timer), resolve());
  });
  pc.close();
  return { relayCandidates: relay.filter((c) => / typ relay /.test(c)).length, errors };
}

await run('turn', async ({ roomId: prefix, tmp, onCleanup, seen }) => {
  const wanted = (process.argv[4] ?? SCENARIOS.join(',')).split(',').filter(Boolean);
  for (const name of wanted) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${name}`);
  seen.scenarios = {};

  const tls = makeLocalCertificate(tmp);
  seen.certificate = { subject: tls.subject, san: tls.san, spkiSha256: tls.spki };
  const turn = await startCoturn({ dir: tmp, cert: tls.cert, key: tls.key, onCleanup });
  const urls = { udp: `turn:127.0.0.1:${turn.udpPort}?transport=udp`, tls: `turns:localhost:${turn.tlsPort}?transport=tcp` };
  seen.turn = { urls, relayPorts: `${turn.minPort}-${turn.maxPort}` };
  const payara = await startOwnServer({
    tmp, onCleanup, seen, ssl: true,
    properties: {
      ...tls.payaraProperties,
      'sfu.turn.urls': `${urls.udp},${urls.tls}`,
      'sfu.turn.secret': turn.secret,
      'sfu.turn.ttl-seconds': TTL_SECONDS,
    },
  });
  const baseUrl = payara.httpsBaseUrl;
  seen.baseUrl = baseUrl;
  const { newContext } = await launchChromium({ onCleanup, seen, extraArgs: [`--ignore-certificate-errors-spki-list=${tls.spki}`] });

  const scenario = async (name, body) => {
    if (!wanted.includes(name)) return;
    const t0 = Date.now();
    const result = { ok: false };
    seen.scenarios[name] = result;
    try {
      Object.assign(result, await body(`${prefix}-${name}`));
      result.ok = true;
    } catch (error) {
      result.error = error.message;
      log(`${name} FAILED: ${error.message}`);
    }
    result.ms = Date.now() - t0;
    log(`SUMMARY ${name} ${JSON.stringify(result)}`);
  };

  const relayCall = (transport) => async (roomId) => {
    const people = [];
    try {
      const joinedAt = Math.floor(Date.now() / 1000);
      const ada = await Participant.open({
        newContext, baseUrl, roomId, name: 'Ada', hz: TONES[0], params: { relay: '1' },
        init: [onlyTurnUrls, transport === 'udp' ? 'turn:' : 'turns:'],
      });
      people.push(ada);
      const bob = await Participant.open({ newContext, baseUrl, roomId, name: 'Bob', hz: TONES[1] });
      people.push(bob);
      for (const p of people) await p.joined(30_000);
      const heard = await everyoneHearsEveryone(people, 20_000);
      const pageProtocol = await ada.page.evaluate(() => location.protocol);
      if (pageProtocol !== 'https:') throw new Error(`page not on https: ${pageProtocol}`);
      const config = await ada.page.evaluate(() => window.cheenhub.rtcConfiguration());
      const [user, credential] = [config.iceServers[0]?.username ?? '', config.iceServers[0]?.credential ?? ''];
      const [expiry, participant] = user.split(':');
      if (participant !== ada.participantId) throw new Error(`TURN username ${user} does not name ${ada.participantId}`);
      if (Math.abs(Number(expiry) - joinedAt - TTL_SECONDS) > 30) throw new Error(`TURN username expiry ${expiry}, joined at ${joinedAt}, ttl ${TTL_SECONDS}`);
      const pairs = { Ada: await ada.page.evaluate(selectedPairs), Bob: await bob.page.evaluate(selectedPairs) };
      for (const [which, p] of Object.entries(pairs.Ada)) {
        if (p.local?.type !== 'relay' || p.local.relayProtocol !== transport) {
          throw new Error(`Ada's ${which} pair is not relay/${transport}: ${JSON.stringify(p)}`);
        }
      }
      for (const [which, p] of Object.entries(pairs.Bob)) {
        if (!p.local || p.local.type === 'relay') throw new Error(`Bob's ${which} pair should be direct: ${JSON.stringify(p)}`);
      }
      // coturn's own word: it allocated for Ada's REST username (log lines name the user of each session).
      const turnLog = turn.log();
      const sessions = turnLog.split('\n').filter((l) => l.includes(`user <${user}>`) || l.includes(`username=<${user}>`)).length;
      if (sessions === 0) throw new Error(`coturn's log never names ${user}`);
      const result = { heard, pairs, turnUsername: user, coturnLogLines: sessions, pageProtocol };
      if (transport === 'udp') {
        // The same servers with the credential changed by one character: coturn refuses (401), no relay candidate.
        const server = { urls: [urls.udp], username: user };
        const good = await ada.page.evaluate(gatherRelay, [{ ...server, credential }]);
        const bad = await ada.page.evaluate(gatherRelay, [{ ...server, credential: (credential[0] === 'A' ? 'B' : 'A') + credential.slice(1) }]);
        result.credentialCheck = { good, bad };
        if (good.relayCandidates < 1 || bad.relayCandidates !== 0) throw new Error(`credential check: ${JSON.stringify(result.credentialCheck)}`);
      }
      return result;
    } finally {
      for (const p of people) {
        await p.leave().catch(() => {});
        await p.close();
      }
    }
  };

  await scenario('relay-udp', relayCall('udp'));
  await scenario('relay-tls', relayCall('tls'));
  /** Runs selftest.html in a fresh context (with an optional init script) and returns its report. */
  const selftest = async (roomId, init) => {
    const { context, page } = await newContext();
    try {
      if (init) await context.addInitScript(...init);
      page.on('console', (m) => m.type() === 'error' && log(`selftest console: ${m.text()}`));
      await page.goto(new URL(`selftest.html?autostart=1&room=${encodeURIComponent(roomId)}`, baseUrl).toString());
      let report;
      await until('the self-test finished', SELFTEST_TIMEOUT_MS, async () => {
        report = await page.evaluate(() => window.selftest?.report?.() ?? null);
        return report?.done;
      }, () => JSON.stringify(report), 250);
      return report;
    } finally {
      await page.close().catch(() => {});
      await context.close().catch(() => {});
    }
  };
  await scenario('selftest', async (roomId) => {
    const report = await selftest(roomId);
    const failed = report.checks.filter((c) => c.status !== 'pass');
    if (failed.length) throw new Error(`self-test checks not passed: ${JSON.stringify(failed)}`);
    const names = report.checks.map((c) => c.id);
    for (const id of ['microphone', 'websocket', 'ice-host', 'ice-turn', 'dtls', 'echo']) {
      if (!names.includes(id)) throw new Error(`self-test has no ${id} check: ${names}`);
    }
    // The diagnosis is real: with the TURN credential damaged in the page, only the TURN check fails, and says why.
    const broken = await selftest(`${roomId}-bad`, [breakTurnCredentials, null]);
    const turnCheck = broken.checks.find((c) => c.id === 'ice-turn');
    const others = broken.checks.filter((c) => c.id !== 'ice-turn' && c.status !== 'pass');
    if (turnCheck?.status !== 'fail' || !/refused the credentials/.test(turnCheck.detail) || others.length) {
      throw new Error(`self-test with a bad TURN credential: ${JSON.stringify(broken.checks)}`);
    }
    return { checks: report.checks, badCredential: turnCheck };
  });

  const failed = Object.entries(seen.scenarios).filter(([, r]) => !r.ok).map(([n]) => n);
  seen.coturnLog = turn.logFile;
  if (failed.length) throw new Error(`scenarios failed: ${failed.join(', ')}`);
});
