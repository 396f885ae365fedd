// Issue 5's end-to-end proof in real headless Chromium: people in voice rooms hear each other.
// One Chromium, one browser context (page) per participant; every participant sends its own pure tone
// (lib/voice-page.mjs) and every listener analyses what it actually receives per remote track (FFT peak
// and level) plus getStats. Assertions are on heard audio; the server's REST/metrics view is checked too.
//
// Usage: node voice-rooms.mjs <baseUrl> <roomPrefix> [scenario,...]
//   scenarios: two five latejoin leave reconnect churn quality (default: all of them),
//   mixed-two mixed-five (one participant is Firefox ESR with a PulseAudio microphone), and
//   restart: runs its own Payara Micro (env E2E_WAR, E2E_MICRO_JAR; <baseUrl> is then ignored), stops it
//   (SIGTERM: drain) and starts it again on the same port, then kills it (SIGKILL) and starts it again.
//   E2E_OWN_SERVER=1 runs its own server for any scenario (by hand).
// Output contract: lib/harness.mjs; the JSON has one member per scenario under "scenarios".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer from 'puppeteer-core';
import { log, run } from './lib/harness.mjs';
import { startOwnServer } from './lib/payara.mjs';
import { createTokenIssuer } from './lib/token.mjs';
import { startPulseAudio } from './lib/pulse.mjs';
import { writeToneWav } from './lib/tone.mjs';
import {
  Participant, ServerView, TONES, audioBack, checkHears, everyoneHearsEveryone, launchChromium, round, statsDelta, until,
} from './lib/voice.mjs';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const ALL = ['two', 'five', 'latejoin', 'leave', 'reconnect', 'churn', 'quality'];
/** Firefox's microphone tone (PulseAudio monitor playing a WAV, lib/pulse.mjs). */
const FIREFOX_HZ = TONES[2];
const FIREFOX_PREFS = {
  'media.navigator.streams.fake': false, // a real capture device, see lib/pulse.mjs
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
};
const TRACK_END_LIMIT_MS = 2_000; // issue 5, scenario 4
const AUDIO_BACK_LIMIT_MS = 5_000; // issue 5, scenario 5
const QUALITY_SECONDS = Number(process.env.E2E_QUALITY_SECONDS ?? 20);
const CHURN_CYCLES = Number(process.env.E2E_CHURN_CYCLES ?? 20);
const MAX_CONCEALED = 0.01;

await run('voice-rooms', async ({ baseUrl: givenBase, roomId: prefix, tmp, onCleanup, seen }) => {
  const wanted = (process.argv[4] ?? ALL.join(',')).split(',').filter(Boolean);
  seen.scenarios = {};

  let baseUrl = givenBase;
  let payara = null;
  // A server the driver owns requires tokens (unless E2E_AUTH=anonymous): every page joins with one.
  let issuer = null;
  if (wanted.includes('restart') || process.env.E2E_OWN_SERVER === '1') {
    if (process.env.E2E_AUTH !== 'anonymous') issuer = createTokenIssuer();
    payara = await startOwnServer({ tmp, onCleanup, seen, properties: issuer?.serverProperties ?? {} });
    baseUrl = payara.baseUrl;
  }
  seen.auth = issuer ? 'token' : 'anonymous';
  const tokenFor = (roomId, name) => issuer?.mint({ sub: `${name}-${roomId}`, room: roomId, name }) ?? null;

  const { newContext } = await launchChromium({ onCleanup, seen });
  // Its /api then wants an operator token too.
  const operatorToken = issuer?.mint({ sub: 'e2e-operator', room: '*', permissions: ['operator'] }) ?? null;
  const server = new ServerView(baseUrl, { operatorToken });
  const people = [];
  let tones = {}; // name -> Hz sent, per scenario (reported, so the IT can check what was heard)
  const joinRoom = async (roomId, name, hz) => {
    const p = await Participant.open({ newContext, baseUrl, roomId, name, hz, token: tokenFor(roomId, name) });
    tones[name] = hz;
    people.push(p);
    return p;
  };
  const joinAll = async (roomId, names) => {
    const ps = [];
    for (const [i, n] of names.entries()) ps.push(await joinRoom(roomId, n, TONES[i]));
    for (const p of ps) await p.joined();
    return ps;
  };
  // Firefox ESR (puppeteer-core over WebDriver BiDi) with its own PulseAudio, started on first use.
  let firefox = null;
  const openFirefox = async (roomId, name) => {
    if (!firefox) {
      const pulse = await startPulseAudio(join(tmp, 'pulse'), writeToneWav(join(tmp, `tone${FIREFOX_HZ}.wav`), { hz: FIREFOX_HZ }), log);
      onCleanup(pulse.stop);
      log(`launching ${FIREFOX}`);
      const launchingFirefox = puppeteer.launch({
        browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: join(tmp, 'firefox-profile'),
        env: pulse.env, extraPrefsFirefox: FIREFOX_PREFS, timeout: 60_000,
        handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
      });
      onCleanup(async () => (await launchingFirefox.catch(() => null))?.close());
      firefox = await launchingFirefox;
      seen.firefoxVersion = await firefox.version();
      log(`browser ${seen.firefoxVersion}`);
    }
    const newFirefoxPage = async () => {
      const page = await firefox.newPage();
      return { context: null, page, addInitScript: (fn, arg) => page.evaluateOnNewDocument(fn, arg) };
    };
    const p = await Participant.open({
      newContext: newFirefoxPage, baseUrl, roomId, name, hz: FIREFOX_HZ, syntheticTone: false, token: tokenFor(roomId, name),
    });
    p.browser = 'firefox';
    tones[name] = FIREFOX_HZ;
    people.push(p);
    return p;
  };
  const mixed = async (roomId, chromiumNames) => {
    const ps = [];
    const tones = TONES.filter((t) => t !== FIREFOX_HZ);
    for (const [i, n] of chromiumNames.entries()) ps.push(await joinRoom(roomId, n, tones[i]));
    ps.push(await openFirefox(roomId, 'Fox'));
    for (const p of ps) await p.joined(30_000);
    const heard = await everyoneHearsEveryone(ps, 20_000);
    const stats = {};
    for (const p of ps) stats[`${p.name} (${p.browser ?? 'chromium'})`] = await p.stats();
    return { heard, stats };
  };

  const closeAll = async () => {
    for (const p of people.splice(0)) await p.close();
  };
  onCleanup(closeAll);

  const scenarios = {
    /** 1. Two participants: each hears the other's tone and never its own. */
    async two(roomId) {
      const ps = await joinAll(roomId, ['Ada', 'Bob']);
      return { heard: await everyoneHearsEveryone(ps) };
    },

    /** 1 in Firefox: one Chromium and one Firefox participant hear each other. */
    async 'mixed-two'(roomId) {
      return mixed(roomId, ['Ada']);
    },

    /** 2 in Firefox: four Chromium participants and one Firefox participant. */
    async 'mixed-five'(roomId) {
      return mixed(roomId, ['Ada', 'Bob', 'Cy', 'Dee']);
    },

    /** 2. Five participants: each hears exactly the four others, each mapped to the right user. */
    async five(roomId) {
      const ps = await joinAll(roomId, ['Ada', 'Bob', 'Cy', 'Dee', 'Eve']);
      const t0 = Date.now();
      const heard = await everyoneHearsEveryone(ps, 20_000);
      return { heard, msUntilAllHeard: Date.now() - t0, server: await server.counts(roomId) };
    },

    /** 3. Late join: a newcomer to a running room of three hears all three, and they hear it. */
    async latejoin(roomId) {
      const ps = await joinAll(roomId, ['Ada', 'Bob', 'Cy']);
      await everyoneHearsEveryone(ps);
      const t0 = Date.now();
      const dee = await joinRoom(roomId, 'Dee', TONES[3]);
      await dee.joined();
      const heard = await everyoneHearsEveryone([...ps, dee]);
      return { heard, msFromJoinToAllHeard: Date.now() - t0 };
    },

    /** 4. Leave (clean, then closed page): others' tracks end within 2 s; server counts drop. */
    async leave(roomId) {
      const [ada, bob, cy] = await joinAll(roomId, ['Ada', 'Bob', 'Cy']);
      await everyoneHearsEveryone([ada, bob, cy]);
      const before = await server.awaitCounts(roomId, { roomParticipants: 3, transportsActive: 6 });
      const out = { before: before.counts };

      // Clean leave: the hook's leave() (`leave`, PCs closed, WS closed 1000).
      let t0 = Date.now();
      const ended = Promise.all([bob.gone(cy, 10_000), ada.gone(cy, 10_000)]);
      await cy.leave();
      out.cleanLeave = { trackEndedMs: (await ended).map((t) => (t == null ? null : t - t0)) };
      out.cleanLeave.server = await server.awaitCounts(roomId, { roomParticipants: 2, transportsActive: 4 });
      await cy.close();

      // Closed page: no `leave`, the browser just goes away.
      t0 = Date.now();
      const ended2 = ada.gone(bob, 10_000);
      await bob.close();
      out.closedPage = { trackEndedMs: [(await ended2) == null ? null : (await ended2) - t0] };
      out.closedPage.server = await server.awaitCounts(roomId, { roomParticipants: 1, transportsActive: 2 });
      const still = await checkHears(ada, []);
      if (!still.ok) throw new Error(`after both left, Ada: ${still.problems.join('; ')}`);
      for (const [what, r] of [['clean leave', out.cleanLeave], ['closed page', out.closedPage]]) {
        for (const ms of r.trackEndedMs) {
          if (ms == null || ms > TRACK_END_LIMIT_MS) throw new Error(`${what}: a track ended after ${ms} ms (limit ${TRACK_END_LIMIT_MS})`);
        }
      }
      return out;
    },

    /** 5. The WebSocket of one participant is cut: audio both ways back within 5 s, no user action. */
    async reconnect(roomId) {
      const [ada, bob] = await joinAll(roomId, ['Ada', 'Bob']);
      await everyoneHearsEveryone([ada, bob]);
      const idBefore = ada.participantId;
      const t0 = Date.now();
      await ada.simulateSignalingLoss();
      const r = await audioBack([ada, bob], t0, { diagnose, limitMs: AUDIO_BACK_LIMIT_MS, ready: (s) => s.reconnects >= 1 });
      const ada2 = await ada.state();
      const flicker = r.bobLostAda;
      return {
        ...r.timing,
        reconnects: ada2.reconnects,
        resumed: ada2.resumed,
        sameParticipantId: ada2.participantId === idBefore,
        othersSawLeave: flicker,
      };
    },

    /**
     * 5b. The server is restarted twice: stopped gracefully (SIGTERM: it drains, telling the pages to
     * reconnect and closing their sockets with 1012), then killed (SIGKILL: the sockets just drop).
     * Each time audio both ways must be back within 5 s of the server being up again.
     */
    async restart(roomId) {
      // A freshly started server is cold (first ICE/DTLS/SRTP use; research P7): one participant
      // joins and leaves first, so the scenario measures the restart and not the first-ever join.
      const warm = await warmUp(`${roomId}-warmup`);
      const [ada, bob] = await joinAll(roomId, ['Ada', 'Bob']);
      await everyoneHearsEveryone([ada, bob]);
      const rounds = {};
      for (const how of ['drain', 'kill']) {
        const before = await Promise.all([ada.state(), bob.state()]);
        const serverLog = payara.logFile();
        log(`stopping the server (${how === 'drain' ? 'SIGTERM, drains' : 'SIGKILL'})`);
        if (how === 'drain') await payara.stop();
        else await payara.kill();
        await until('both pages notice', 15_000, async () => {
          const s = await Promise.all([ada.state(), bob.state()]);
          return s.every((x) => x.status === 'reconnecting' || x.status === 'connecting');
        });
        // How the server closed the pages' sockets: 1012 after a drain, 1006 (no close frame) when killed.
        const closedWith = (await Promise.all([ada.state(), bob.state()])).map((x) => x.lastClose?.code ?? null);
        // The drain's first line in the stopped server's log, when the JVM's log reset did not swallow it.
        const drainLogged = readFileSync(serverLog, 'utf8').includes('drain started');
        await sleep(1_000);
        log('starting the server again on the same port');
        const startMs = await payara.start();
        const t0 = Date.now();
        const r = await audioBack([ada, bob], t0, {
          diagnose, limitMs: AUDIO_BACK_LIMIT_MS,
          ready: (a, b) => a.reconnects > before[0].reconnects && b.reconnects > before[1].reconnects,
        });
        rounds[how] = { serverStartMs: startMs, ...r.timing, closedWith, drainLogged };
        log(`restart after ${how}: audio both ways ${r.timing.audioBothWaysMs} ms after the server was ready`);
      }
      const [a, b] = await Promise.all([ada.state(), bob.state()]);
      return {
        warmUp: warm,
        serverStartMs: rounds.kill.serverStartMs,
        // The slower of the two restarts (the IT's 5 s limit applies to both).
        audioBothWaysMs: Math.max(rounds.drain.audioBothWaysMs, rounds.kill.audioBothWaysMs),
        drain: rounds.drain,
        kill: rounds.kill,
        reconnects: [a.reconnects, b.reconnects],
        resumed: [a.resumed, b.resumed],
      };
    },

    /** 6. Churn: 20 rapid join/leave cycles next to three stable members, whose audio never stops. */
    async churn(roomId) {
      const stable = await joinAll(roomId, ['Ada', 'Bob', 'Cy']);
      await everyoneHearsEveryone(stable);
      const base0 = await server.metrics('base');
      const first = await Promise.all(stable.map((p) => p.stats()));
      let samples = first;
      const stalls = [];
      let minPackets = Infinity; // fewest packets one stable member got from another in one ~1 s sample
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await sleep(1_000);
          const next = await Promise.all(stable.map((p) => p.stats()));
          next.forEach((s, i) => {
            const d = statsDelta(samples[i], s);
            for (const o of stable) {
              if (o === stable[i]) continue;
              const packets = d[o.participantId]?.packets ?? 0;
              if (packets <= 0) stalls.push(`${stable[i].name} got no packets from ${o.name} between ${samples[i].at} and ${s.at}`);
              minPackets = Math.min(minPackets, packets);
            }
          });
          samples = next;
        }
      })();
      const t0 = Date.now();
      const cycles = [];
      try {
        for (let i = 0; i < CHURN_CYCLES; i++) {
          const c0 = Date.now();
          const p = await joinRoom(roomId, `Churn${i}`, TONES[3 + (i % 4)]);
          // Rapid: leave as soon as joined, often while its PeerConnections are still connecting.
          await until(`Churn${i} joined`, 20_000, async () => (await p.state())?.status === 'joined', () => '', 50);
          if (i % 2 === 0) await p.leave();
          await p.close();
          people.splice(people.indexOf(p), 1);
          cycles.push(Date.now() - c0);
        }
      } finally {
        sampling = false;
        await sampler;
      }
      const churnMs = Date.now() - t0;
      const last = await Promise.all(stable.map((p) => p.stats()));
      const concealment = {};
      stable.forEach((p, i) => {
        const names = Object.fromEntries(stable.map((o) => [o.participantId, o.name]));
        for (const [who, d] of Object.entries(statsDelta(first[i], last[i]))) {
          if (names[who]) concealment[`${p.name}<-${names[who]}`] = round(d.concealedRatio);
        }
      });
      const after = await server.awaitCounts(roomId, { roomParticipants: 3, transportsActive: 6 }, 15_000);
      await everyoneHearsEveryone(stable);
      const base1 = await server.metrics('base');
      const forwarding = await server.forwarding();
      if (forwarding && (forwarding.publishers !== 3 || forwarding.subscribers !== 3)) {
        throw new Error(`after churn the forwarding table has ${forwarding.publishers} publishers, ${forwarding.subscribers} subscribers (want 3, 3)`);
      }
      const threads = [base0.jvm_thread_count ?? base0.thread_count, base1.jvm_thread_count ?? base1.thread_count];
      if (stalls.length) throw new Error(`audio between stable members stopped: ${stalls.slice(0, 5).join('; ')}`);
      const worst = Math.max(...Object.values(concealment));
      if (!(worst < 0.05)) throw new Error(`concealment during churn up to ${worst}: ${JSON.stringify(concealment)}`);
      return { cycles: cycles.length, churnMs, cycleMs: cycles, minPacketsPerSample: minPackets, concealment, serverAfter: after, jvmThreads: threads, forwarding };
    },

    /** 7. 20 s with five participants: concealed/total < 1 % on every received track; jitter and RTT. */
    async quality(roomId) {
      const ps = await joinAll(roomId, ['Ada', 'Bob', 'Cy', 'Dee', 'Eve']);
      await everyoneHearsEveryone(ps, 20_000);
      // Measure the client alone: the probe's analysers go (on a 2-core machine they show up as concealment).
      await Promise.all(ps.map((p) => p.page.evaluate(() => window.__e2e.release())));
      await sleep(1_000);
      const forwardingBefore = await server.forwarding();
      const first = await Promise.all(ps.map((p) => p.stats()));
      const jitters = [];
      const rtts = [];
      const until0 = Date.now() + QUALITY_SECONDS * 1_000;
      let last = first;
      while (Date.now() < until0) {
        await sleep(2_000);
        last = await Promise.all(ps.map((p) => p.stats()));
        for (const s of last) {
          for (const t of s.tracks) if (t.jitter != null) jitters.push(t.jitter * 1000);
          for (const r of [s.subscribeRtt, s.publishRtt]) if (r != null) rtts.push(r * 1000);
        }
      }
      const names = Object.fromEntries(ps.map((o) => [o.participantId, o.name]));
      const tracks = {};
      const cumulative = {};
      ps.forEach((p, i) => {
        for (const [who, d] of Object.entries(statsDelta(first[i], last[i]))) {
          tracks[`${p.name}<-${names[who] ?? who}`] = { ...d, concealedRatio: round(d.concealedRatio, 5), jitter: round(d.jitter, 4) };
        }
        for (const t of last[i].tracks) {
          cumulative[`${p.name}<-${names[t.participantId] ?? t.mid}`] = round(t.concealedSamples / Math.max(1, t.totalSamplesReceived), 5);
        }
      });
      const bad = Object.entries(tracks).filter(([, d]) => !(d.concealedRatio < MAX_CONCEALED) || d.packets <= 0);
      const result = {
        seconds: QUALITY_SECONDS,
        tracks,
        cumulativeConcealedRatio: cumulative,
        maxConcealedRatio: Math.max(...Object.values(tracks).map((d) => d.concealedRatio ?? 1)),
        jitterMs: summary(jitters),
        rttMs: summary(rtts),
        server: await server.counts(roomId),
        // The server's forwarding latency (packet in -> out) during the window: the histogram
        // buckets of two readings subtracted.
        forwardingLatency: windowLatency(forwardingBefore, await server.forwarding()),
      };
      if (Object.keys(tracks).length !== 20) throw new Error(`expected 20 received tracks, got ${Object.keys(tracks).length}`);
      if (bad.length) throw Object.assign(new Error(`concealment >= 1 % or no packets: ${JSON.stringify(bad)}`), { partial: result });
      return result;
    },
  };

  /** What the pages and the server say, for a failure message. */
  async function diagnose(ps) {
    const out = {};
    for (const p of ps) {
      out[p.name] = await p.page.evaluate(async () => ({
        state: window.cheenhub.state(),
        remote: window.cheenhub.remoteAudio().map((e) => ({
          participantId: e.participantId, mid: e.mid, streamId: e.streamId, track: e.track.readyState, muted: e.track.muted,
        })),
        stats: await window.__e2e.stats(),
      })).catch((e) => e.message);
    }
    out.server = await server.room(ps[0].roomId ?? '').catch(() => null);
    return out;
  }

  /** Joins and leaves once (retrying once); returns what happened, for the record. */
  async function warmUp(roomId) {
    const attempts = [];
    for (let i = 0; i < 2; i++) {
      const p = await joinRoom(roomId, `Warm${i}`, TONES[4]);
      try {
        await p.joined(30_000);
        attempts.push('joined');
        await p.leave();
        break;
      } catch (error) {
        attempts.push(error.message);
      } finally {
        await p.close();
        people.splice(people.indexOf(p), 1);
      }
    }
    return attempts;
  }

  const failed = [];
  for (const name of wanted) {
    const roomId = `${prefix}-${name}`;
    const t0 = Date.now();
    log(`scenario ${name} in room ${roomId}`);
    tones = {};
    try {
      if (!scenarios[name]) throw new Error(`unknown scenario ${name}`);
      const r = await scenarios[name](roomId);
      seen.scenarios[name] = { ok: true, ms: Date.now() - t0, tones, ...r };
      log(`scenario ${name}: passed in ${Date.now() - t0} ms ${JSON.stringify(r)}`);
    } catch (error) {
      failed.push(name);
      seen.scenarios[name] = { ok: false, ms: Date.now() - t0, tones, error: error.message, ...(error.partial ?? {}) };
      log(`scenario ${name}: FAILED: ${error.message}`);
    } finally {
      await closeAll();
      // The next scenario starts from an empty server.
      await server.awaitCounts(roomId, { roomParticipants: 0, transportsActive: 0 }, 15_000).catch((e) => {
        seen.scenarios[name].leftover = e.message;
        if (seen.scenarios[name].ok) failed.push(`${name} (left transports behind)`);
        seen.scenarios[name].ok = false;
      });
    }
  }
  if (failed.length) throw new Error(`failed: ${failed.join(', ')}`);
});

function summary(values) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const q = (p) => round(s[Math.min(s.length - 1, Math.floor(p * s.length))], 2);
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: round(s[s.length - 1], 2) };
}

/** Percentiles (µs) of the forwarding latency between two GET api/forwarding readings, or null. */
function windowLatency(before, after) {
  if (!before?.latency?.buckets || !after?.latency?.buckets) return null;
  const counts = Object.entries(after.latency.buckets)
    .map(([top, n]) => [Number(top), n - (before.latency.buckets[top] ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  const percentile = (p) => {
    const rank = Math.max(1, Math.ceil((p / 100) * total));
    let seen = 0;
    for (const [top, n] of counts) {
      seen += n;
      if (seen >= rank) return top;
    }
    return counts.at(-1)?.[0] ?? 0;
  };
  return total === 0
    ? { packets: 0 }
    : { packets: total, p50Micros: percentile(50), p95Micros: percentile(95), p99Micros: percentile(99), p999Micros: percentile(99.9), maxMicros: counts.at(-1)[0] };
}
