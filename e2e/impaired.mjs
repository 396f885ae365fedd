// Issue 7's end-to-end proof in real headless Chromium: voice through a bad network. The driver runs its
// own Payara Micro with a fixed media port M that advertises the impairment relay (127.0.0.1:R) as its
// only ICE candidate, so every media packet both ways goes through the relay (lib/relay.mjs); signaling
// stays direct. Two participants send their own tones (lib/voice-page.mjs). Every scenario starts clean:
// the relay is healed, both pages leave() and join() a room of the scenario's own (new participants, so
// new publishers at `high` and new forwarded streams), and only when both hear each other again does the
// driver impair the relay, listen in 1 s windows on both sides (FFT peak at the speaker's tone; concealed
// samples from getStats deltas), read RTT, the quality levels and the server's RED counts, then heal.
//
// Usage: E2E_WAR=... E2E_LOADGEN_JAR=... node impaired.mjs - <roomPrefix> [scenario,...]
//   scenarios: loss5 loss20 delay50 delay200 cap1m cap512k cap256k cap32k heal (default: all of them)
// Output contract: lib/harness.mjs; the JSON has one member per scenario under "scenarios", and each
// scenario's summary is also logged to stderr as one line `SUMMARY <name> {...}` as soon as it is done.
// A check whose server side is not there (no quality level in state()) is reported with "ok": null
// and "notAvailable": why, and does not fail the run.
import { setTimeout as sleep } from 'node:timers/promises';
import { log, run } from './lib/harness.mjs';
import { freeUdpPort, startOwnServer } from './lib/payara.mjs';
import { startRelay } from './lib/relay.mjs';
import {
  HEARD_DB, HZ_TOLERANCE, Participant, TONES, everyoneHearsEveryone, launchChromium, round, statsDelta,
} from './lib/voice.mjs';

const WINDOW_MS = 1_000;
/** How long a cap may take before every window carries the tone (the client/server adapting). */
const CAP_ADAPTATION_LIMIT_MS = 10_000;
/** A cap's queue: 200 ms of the cap, at least one full-size datagram. */
const capQueueBytes = (bps) => Math.max(1_500, Math.round((bps / 8) * 0.2));
const LEVEL_DOWN_LIMIT_MS = 5_000; // issue 7: loss20
const LEVEL_UP_WAIT_MS = 35_000; // issue 7: heal, "the 10 s rule" plus margin
const CLEAN_WITHIN_MS = 2_000; // issue 7: heal
const RTT_TOLERANCE = 0.2; // issue 7: delay
/** A receiver report counts for the server RTT when it reached the server this long after the delay began. */
const RTT_REPORT_AFTER_MS = 3_000; // its LSR then names a sender report sent after the delay began
const CLEAN_POLL_MS = 200; // heal: how often concealment is read while it should stop

const both = (o) => ({ up: o, down: o });
const delay = (ms, seconds) => ({
  impairment: both({ delayMillis: ms, jitterMillis: 30 }),
  // Each server RTT sample is one receiver report (Chrome sends one per stream every ~4-5 s) whose round
  // trip carries two jitters (±30 ms each way: sd ~25 ms), so the mean of n reports has an sd of
  // 25/sqrt(n) ms. 100 ms ± 20 % with a margin needs ~16 reports (40 s with two streams: sd ~6 ms);
  // 400 ms ± 20 % is met by the few reports of 12 s.
  seconds,
  // Delay is added both ways, so the configured round trip is twice the one-way delay. The first
  // window is skipped: the moment the delay starts, `ms` of audio is in flight, a gap by construction.
  checks: (r) => [allWindowsHaveTone(r, 1), ...rttChecks(r, 2 * ms)],
});
// Each cap starts from `high` (fresh publishers). 1m and 512k carry high (64 kbit/s + RED) without loss,
// so the level must still be high at the end; 256k is reported; 32k must reach low (high -> medium ->
// low takes two steps at least 5 s apart) and the concealment in the windows after that is reported.
const cap = (bps, level) => ({
  impairment: both({ bitsPerSecond: bps, queueBytes: capQueueBytes(bps) }),
  // Long enough for CAP_ADAPTATION_LIMIT_MS plus a few windows where the cap binds (32k), short elsewhere.
  seconds: level === 'low' ? 20 : 8,
  checks: (r) => [
    toneAfterAdaptation(r),
    level === 'low' ? levelReached(r, 'low') : levelAfterAdaptation(r, level),
  ],
});

/** Per scenario: the impairment, how long to listen, and what must hold (checks over the windows). */
const SCENARIOS = {
  loss5: {
    impairment: both({ loss: 0.05 }),
    seconds: 20,
    // 5 % each way is ~10 % end to end: only redundancy (RED, issue 7) conceals that below 2 %.
    checks: (r) => [allWindowsHaveTone(r), concealedBelow(r, 0.02)],
  },
  loss20: {
    impairment: both({ loss: 0.2 }),
    seconds: 20,
    checks: (r) => [allWindowsHaveTone(r), concealedBelow(r, 0.05), levelDownWithin(r, LEVEL_DOWN_LIMIT_MS)],
  },
  delay50: delay(50, 40),
  delay200: delay(200, 12),
  cap1m: cap(1_000_000, 'high'),
  cap512k: cap(512_000, 'high'),
  cap256k: cap(256_000, null),
  cap32k: cap(32_000, 'low'),
  heal: { custom: true },
};

// --- checks: each returns {name, ok: true|false|null, value, limit, notAvailable?} ---

function allWindowsHaveTone(r, skip = 0) {
  const missing = [];
  for (const [dir, ws] of Object.entries(r.windows)) {
    ws.slice(skip).forEach((w) => !w.tone && missing.push(`${dir} ${w.from}-${w.to} ms (${w.peakHz} Hz, ${w.peakDb} dB)`));
  }
  return { name: `tone in every 1 s window${skip ? ` after the first ${skip}` : ''}`, ok: missing.length === 0, value: missing.length, missing: missing.slice(0, 5) };
}

function toneAfterAdaptation(r) {
  // The adaptation period: until the first window from which on every window (both ways) has the tone.
  let adaptationMs = 0;
  for (const ws of Object.values(r.windows)) {
    const lastBad = ws.findLastIndex((w) => !w.tone);
    if (lastBad >= 0) adaptationMs = Math.max(adaptationMs, ws[lastBad].to);
  }
  const longest = Math.max(...Object.values(r.windows).map((ws) => ws.at(-1)?.to ?? 0));
  const ok = adaptationMs <= CAP_ADAPTATION_LIMIT_MS && longest - adaptationMs >= 3 * WINDOW_MS;
  return { name: 'tone in every window after adaptation', ok, value: adaptationMs, limit: CAP_ADAPTATION_LIMIT_MS };
}

function concealedPercent(r) {
  const per = {};
  for (const [dir, ws] of Object.entries(r.windows)) {
    const samples = ws.reduce((s, w) => s + w.samples, 0);
    const concealed = ws.reduce((s, w) => s + w.concealed, 0);
    per[dir] = samples > 0 ? round((100 * concealed) / samples, 3) : null;
  }
  return per;
}

/**
 * Concealed share over the whole scenario, the worse direction, asserted. Annotated with what the server
 * says it sent on each direction's stream (GET api/rooms/<room>/stats, downlink.streams[]: `red` kept now,
 * `redPacketsSent` during the scenario): the browser's inbound-rtp codec stays audio/opus even when RED
 * arrives (NetEq unwraps it), so getStats cannot tell.
 */
function concealedBelow(r, limit) {
  const per = concealedPercent(r);
  const worst = Math.max(...Object.values(per).map((v) => v ?? 100));
  const note = Object.entries(r.red)
    .map(([dir, v]) => `${dir}: RED sent by the server: ${v.redPacketsSent ?? 'unknown'} of ${v.packetsSent ?? 'unknown'} packets, kept at the end: ${v.red}`)
    .join('; ');
  return { name: `concealed < ${limit * 100} %`, ok: worst < limit * 100, value: worst, limit: limit * 100, perDirection: per, red: r.red, note };
}

function cleanWithin(lastConcealedAt, limitMs) {
  const worst = Math.max(...Object.values(lastConcealedAt));
  return { name: `no concealment later than ${limitMs} ms after healing`, ok: worst <= limitMs, value: worst, limit: limitMs, lastConcealedAt };
}

function noConcealment(r) {
  const dirty = [];
  for (const [dir, ws] of Object.entries(r.windows)) {
    for (const w of ws) if (w.concealed > 0 || w.samples === 0) dirty.push(`${dir} ${w.from}-${w.to} ms: ${w.concealed} of ${w.samples}`);
  }
  return { name: 'no concealment in any later 1 s window', ok: dirty.length === 0, value: dirty.length, dirty: dirty.slice(0, 5) };
}

function median(values) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * RTT samples of the scenarios that add neither delay nor a cap's queue (loss): what the loopback path itself costs
 * (endpoint processing on a busy machine: ~5-10 ms here), so a delay scenario is judged by how much
 * RTT the configured delay added, not by that constant. Empty when no such scenario ran first.
 */
const cleanRtt = { browser: [], serverReports: [] };

function mean(values) {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/**
 * The asserted RTTs, each minus the same measure on the undelayed path (cleanRtt medians, 0 if none):
 * the browser's candidate-pair RTT (median of the polls from the second quarter on: the first samples
 * still carry the clean link) and the server's, the mean over the receiver reports that arrived
 * RTT_REPORT_AFTER_MS after the delay began (downlink.streams[].rttMs whenever a stream's `reports`
 * grew: one sample per report, not per poll, so a stale value does not count twice). The mean, not the
 * median: a report's RTT is the sum of two uniform jitters, where the mean has the smaller spread. The
 * browser's remote-inbound-rtp RTT (from the server's receiver reports about the publisher; Chrome's
 * sender reports come every ~5 s, so it settles slowly) is only reported, in the summary's rttMs.
 */
function rttChecks(r, configuredMs) {
  const within = (v) => v != null && Math.abs(v - configuredMs) <= RTT_TOLERANCE * configuredMs;
  const baseBrowser = median(cleanRtt.browser) ?? 0;
  const baseServer = median(cleanRtt.serverReports) ?? 0;
  const browser = median(r.rtt.browser.slice(Math.floor(r.rtt.browser.length / 4)));
  const server = mean(r.rtt.serverReports);
  const added = (v, base) => (v == null ? null : v - base);
  return [
    { name: `browser candidate-pair RTT, minus the undelayed path's, within ${RTT_TOLERANCE * 100} % of ${configuredMs} ms`, ok: within(added(browser, baseBrowser)), value: round(added(browser, baseBrowser), 1), measured: round(browser, 1), undelayed: round(baseBrowser, 1), limit: configuredMs, samples: r.rtt.browser.length },
    { name: `server-reported RTT (stats downlink.streams[].rttMs, mean per report), minus the undelayed path's, within ${RTT_TOLERANCE * 100} % of ${configuredMs} ms`, ok: within(added(server, baseServer)), value: round(added(server, baseServer), 1), measured: round(server, 1), undelayed: round(baseServer, 1), undelayedReports: cleanRtt.serverReports.length, limit: configuredMs, samples: r.rtt.serverReports.map((v) => round(v, 1)), ...(server == null ? { server: r.server } : {}) },
  ];
}

/**
 * The quality goes down within `limitMs`: the publisher's own level (Phase 2) or, for a publisher with
 * audio layers (issue 15), the layer its listener receives (server stats `downlink.streams[].layer`):
 * with layers a listener's loss selects its layer and steps down only the publisher's own uplink,
 * which NACK and RED repair before the server measures it.
 */
function levelDownWithin(r, limitMs) {
  const name = `quality below high within ${limitMs} ms of the loss starting (the publisher's level, or the layer its listener receives)`;
  if (!r.levelsAvailable) return { name, ok: null, notAvailable: 'no quality level in window.cheenhub.state()' };
  const down = r.levels.find((e) => e.self && e.level !== 'high');
  const layerDown = r.layers.find((e) => e.layer === 'm' || e.layer === 'l');
  const at = Math.min(down?.at ?? Infinity, layerDown?.at ?? Infinity);
  return { name, ok: at <= limitMs, value: Number.isFinite(at) ? at : null, limit: limitMs, level: down ?? null, layer: layerDown ?? null };
}

/** Both publishers' own level reaches `level`; reported: when, and the concealment in the windows after it. */
function levelReached(r, level) {
  const name = `both publishers' quality level reaches ${level}`;
  if (!r.levelsAvailable) return { name, ok: null, notAvailable: 'no quality level in window.cheenhub.state()' };
  const reachedAt = {};
  for (const who of Object.keys(r.startLevels)) reachedAt[who] = r.levels.find((e) => e.self && e.who === who && e.level === level)?.at ?? null;
  const ok = Object.values(reachedAt).every((v) => v != null);
  // Direction "listener<-speaker": the speaker's level is what shapes it.
  const after = {};
  for (const [dir, ws] of Object.entries(r.windows)) {
    const at = reachedAt[dir.split('<-')[1]];
    const later = at == null ? [] : ws.filter((w) => w.from >= at);
    const samples = later.reduce((s, w) => s + w.samples, 0);
    after[dir] = { windows: later.length, withTone: later.filter((w) => w.tone).length, concealedPercent: samples ? round((100 * later.reduce((s, w) => s + w.concealed, 0)) / samples, 3) : null };
  }
  return { name, ok, value: reachedAt, startLevels: r.startLevels, afterReached: after };
}

/**
 * The level the server chose once the adaptation period is over: its stats' participants[].quality at
 * the end of the scenario (the clients' own state().quality next to it). `expected` null: reported only.
 */
function levelAfterAdaptation(r, expected) {
  const name = expected ? `quality level at the end is ${expected} (started ${r.startLevels ? 'at ' + [...new Set(Object.values(r.startLevels))].join('/') : 'unknown'})` : 'quality level at the end (reported)';
  const server = r.serverLevels;
  const client = Object.fromEntries(Object.keys(r.startLevels).map((who) => [who, r.levels.filter((e) => e.self && e.who === who).at(-1)?.level ?? null]));
  const levels = Object.keys(server).length ? server : client;
  const ok = expected ? Object.keys(r.startLevels).every((who) => levels[who] === expected) : true;
  // Why a level went down: what was lost on the wire (the relay) next to what the browsers reported.
  const note = `relay dropped up ${r.relay.up.dropped}, down ${r.relay.down.dropped}; browsers reported lost ` +
    Object.entries(r.red).map(([dir, v]) => `${dir} ${v.packetsLostBefore}->${v.packetsLostAfter} (last ${v.lossPercentLast} %)`).join(', ');
  return { name, ok, value: levels, server, client, startLevels: r.startLevels, limit: expected, note };
}

/** The isolation: when the impairment starts, both publishers are fresh and at `high`. */
function startsHigh(r) {
  const ok = Object.keys(r.startLevels).length === 2 && Object.values(r.startLevels).every((l) => l === 'high');
  return { name: 'both publishers at high when the impairment starts (fresh participants)', ok, value: r.startLevels };
}

function levelBackUp(r, limitMs) {
  const name = `quality level back to high within ${limitMs} ms of healing`;
  const up = r.levels.filter((e) => e.self);
  const last = new Map();
  for (const e of up) last.set(e.who, e);
  const allHigh = last.size === 2 && [...last.values()].every((e) => e.level === 'high');
  const at = Math.max(...[...last.values()].map((e) => e.at));
  return { name, ok: allHigh && at <= limitMs, value: allHigh ? at : Object.fromEntries([...last].map(([w, e]) => [w, e.level])), limit: limitMs };
}

function relayDelta(a, b) {
  const received = b.received - a.received;
  const dropped = b.dropped - a.dropped;
  return {
    received, forwarded: b.forwarded - a.forwarded, dropped, droppedQueue: b.droppedQueue - a.droppedQueue,
    dropPercent: received > 0 ? round((100 * dropped) / received, 2) : null,
  };
}

/** The JSON summary of one scenario: ok, windows with the tone, concealment, levels, RTT, relay counts. */
function summarize(name, r, ms) {
  const windows = {};
  for (const [dir, ws] of Object.entries(r.windows)) {
    windows[dir] = { windows: ws.length, withTone: ws.filter((w) => w.tone).length, concealedPercentPerWindow: ws.map((w) => (w.samples ? round((100 * w.concealed) / w.samples, 2) : null)) };
  }
  const ok = r.checks.every((c) => c.ok !== false);
  return {
    ok, ms, room: r.roomId, startLevels: r.startLevels, impairment: r.impairment, windows, concealedPercent: concealedPercent(r), red: r.red,
    ...(r.lossyConcealedPercent ? { lossyConcealedPercent: r.lossyConcealedPercent, lastConcealedAtMs: r.lastConcealedAt } : {}),
    levels: r.levelsAvailable ? r.levels : 'not available', ...(r.lossyLevels ? { lossyLevels: r.lossyLevels } : {}), ...(r.levelUpTimeline ? { levelUpTimeline: r.levelUpTimeline } : {}),
    layers: r.layers, ...(r.lossyLayers ? { lossyLayers: r.lossyLayers } : {}), ...(r.layerUpTimeline ? { layerUpTimeline: r.layerUpTimeline } : {}),
    rttMs: {
      browserMedian: round(median(r.rtt.browser), 1), serverMedian: round(median(r.rtt.server), 1), serverPerReportMedian: round(median(r.rtt.serverReports), 1), serverPerReportMean: round(mean(r.rtt.serverReports), 1),
      // Information only: the browser's RTT from the server's receiver reports about its microphone.
      remoteInboundMedian: round(median(r.rtt.report), 1), remoteInboundLast: round(r.rtt.report.at(-1), 1),
    },
    server: r.server, serverLevels: r.serverLevels, ...(r.serverView ? { serverView: r.serverView } : {}), relay: r.relay, checks: r.checks,
    ...(ok ? {} : { error: r.checks.filter((c) => c.ok === false).map((c) => `${c.name}: ${JSON.stringify(c.value)} (limit ${c.limit})${c.note ? ` [${c.note}]` : ''}`).join('; ') }),
  };
}

/**
 * The quality levels over time (issue 7 contract): state().quality of each page's own microphone
 * ({level, maxBitrateKbps}) and how it sees the other (state().participants[i].quality); changes only.
 */
class LevelTimeline {
  constructor(people, t0) {
    Object.assign(this, { people, t0, timeline: [], last: new Map(), available: false });
  }

  async sample() {
    const at = Date.now() - this.t0;
    for (const p of this.people) {
      const s = await p.state();
      const own = s?.quality;
      if (own?.level) {
        this.available = true;
        this.note(at, `${p.name}`, own.level, { self: true, maxBitrateKbps: own.maxBitrateKbps ?? null });
      }
      for (const o of s?.participants ?? []) {
        const level = typeof o.quality === 'string' ? o.quality : o.quality?.level;
        if (level) this.note(at, `${p.name} sees ${o.displayName}`, level, { self: false });
      }
    }
  }

  note(at, who, level, extra) {
    if (this.last.get(who) === level) return;
    this.last.set(who, level);
    this.timeline.push({ at, who, level, ...extra });
  }

  allAt(level) {
    return this.people.every((p) => this.last.get(p.name) === level);
  }
}

/** GET api/rooms/<room>/stats (issue 7 contract), remembering whether the server has it at all. */
class ServerStats {
  constructor(baseUrl, roomId) {
    this.url = new URL(`api/rooms/${encodeURIComponent(roomId)}/stats`, baseUrl);
    this.status = null;
  }

  async read() {
    try {
      const r = await fetch(this.url);
      this.status = r.status;
      return r.ok ? await r.json() : null;
    } catch (error) {
      this.status = error.message;
      return null;
    }
  }

  availability() {
    return this.status === 200 ? 'available' : `not available (GET ${this.url.pathname}: ${this.status})`;
  }
}

// Runs in the page (serialized): the remote ports of both PCs' selected candidate pairs.
async function selectedRemotePorts() {
  const out = {};
  for (const [name, pc] of [['publish', window.cheenhub.publishPeerConnection()], ['subscribe', window.cheenhub.subscribePeerConnection()]]) {
    const all = new Map();
    (await pc.getStats()).forEach((s) => all.set(s.id, s));
    const transport = [...all.values()].find((s) => s.type === 'transport');
    const pair = all.get(transport?.selectedCandidatePairId);
    const remote = all.get(pair?.remoteCandidateId);
    out[name] = remote ? `${remote.address}:${remote.port}` : null;
  }
  return out;
}

// Last in the file: the classes above must be initialised before the run uses them.
await run('impaired', async ({ roomId: prefix, tmp, onCleanup, seen }) => {
  const wanted = (process.argv[4] ?? Object.keys(SCENARIOS).join(',')).split(',').filter(Boolean);
  for (const name of wanted) if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}`);
  seen.scenarios = {};

  const mediaPort = await freeUdpPort();
  const relay = await startRelay({ jar: process.env.E2E_LOADGEN_JAR, upstream: `127.0.0.1:${mediaPort}` });
  onCleanup(relay.stop);
  const payara = await startOwnServer({
    tmp, onCleanup, seen,
    properties: {
      // E2E_SERVER_PROPERTIES="sfu.quality.red=false …": settings to compare (docs/benchmarks.md).
      ...Object.fromEntries((process.env.E2E_SERVER_PROPERTIES ?? '').split(/\s+/).filter(Boolean).map((p) => p.split('='))),
      'sfu.media.port': mediaPort,
      'sfu.media.advertised-addresses': relay.listen,
    },
  });
  seen.relay = { listen: relay.listen, upstream: `127.0.0.1:${mediaPort}`, control: relay.control };
  const { newContext } = await launchChromium({ onCleanup, seen });

  const roomId = `${prefix}-impaired`;
  const people = [];
  onCleanup(async () => {
    for (const p of people) await p.close();
  });
  for (const [i, name] of ['Ada', 'Bob'].entries()) {
    people.push(await Participant.open({ newContext, baseUrl: payara.baseUrl, roomId, name, hz: TONES[i] }));
  }
  for (const p of people) await p.joined(30_000);
  seen.tones = Object.fromEntries(people.map((p) => [p.name, p.hz]));
  await everyoneHearsEveryone(people, 20_000);
  // Proof that the media goes through the relay and nowhere else: both clients behind it, and the
  // pages' selected candidate pairs end at the relay's port.
  const relayed = await relay.stats();
  const remotes = await Promise.all(people.map((p) => p.page.evaluate(selectedRemotePorts)
    .catch(() => null)));
  seen.path = { relayClients: relayed.clients, relayUp: relayed.up.forwarded, relayDown: relayed.down.forwarded, remotes };
  if (relayed.clients < 4 || relayed.up.forwarded === 0 || relayed.down.forwarded === 0) {
    // Two participants x (publish + subscribe transport) = 4 client paths.
    throw new Error(`media does not go through the relay: ${JSON.stringify(seen.path)}`);
  }
  const listeners = people.map((p, i) => ({ listener: p, speaker: people[1 - i] }));
  let serverStats = new ServerStats(payara.baseUrl, roomId);
  let scenarioRoom = roomId;
  let startLevels = {};

  /**
   * A clean start for scenario `name`: the relay healed, both pages leave() and join() the room
   * `<prefix>-<name>` (new participantIds: new publishers start at high, new forwarded streams start
   * without RED, nothing of the previous scenario's quality state is left), both hear each other
   * again; returns the publishers' own levels then (before any impairment).
   */
  async function fresh(name) {
    await relay.set({});
    await Promise.all(people.map((p) => p.leave()));
    // The analysers of the old tracks cost CPU while connected.
    await Promise.all(people.map((p) => p.page.evaluate(() => window.__e2e.release())));
    scenarioRoom = `${prefix}-${name}`;
    serverStats = new ServerStats(payara.baseUrl, scenarioRoom);
    await Promise.all(people.map((p) => p.page.evaluate(([r, n]) => window.cheenhub.join({ roomId: r, displayName: n }), [scenarioRoom, p.name])));
    for (const p of people) await p.joined(30_000);
    await everyoneHearsEveryone(people, 20_000);
    const states = await Promise.all(people.map((p) => p.state()));
    startLevels = Object.fromEntries(people.map((p, i) => [p.name, states[i]?.quality?.level ?? null]));
    log(`${name}: fresh in ${scenarioRoom} (${people.map((p) => `${p.name} ${p.participantId}`).join(', ')}), levels ${JSON.stringify(startLevels)}`);
  }

  /** Per direction "listener<-speaker": the server's stream to the listener carrying the speaker (stats downlink.streams[]). */
  function streamsOf(server) {
    const out = {};
    for (const { listener, speaker } of listeners) {
      const me = server?.participants?.find((p) => p.participantId === listener.participantId);
      out[`${listener.name}<-${speaker.name}`] = me?.downlink?.streams?.find((st) => st.publisherId === speaker.participantId) ?? null;
    }
    return out;
  }

  /**
   * Listens for `seconds` in back-to-back 1 s windows on both pages and returns the windows (per
   * direction "listener<-speaker"), the quality level timeline, RTT samples and the relay counts.
   * `t0` is when the impairment changed; `at` in the results is ms since then.
   */
  async function listen(seconds, t0, { stopWhen } = {}) {
    const windows = Object.fromEntries(listeners.map(({ listener, speaker }) => [`${listener.name}<-${speaker.name}`, []]));
    const rtt = { browser: [], report: [], server: [], serverReports: [] };
    const levels = new LevelTimeline(people, t0);
    const layers = []; // {at, dir, layer} whenever the layer a direction's listener receives changed
    const layerSeen = new Map();
    let serverView = null; // the last GET api/rooms/<room>/stats answer, reported as is
    const first = await serverStats.read();
    const streamsBefore = streamsOf(first);
    // participantId/ssrc -> reports seen: a stream's rttMs is a new sample when its `reports` grows.
    const reportsSeen = new Map();
    const eachStream = (server, fn) => {
      for (const p of server?.participants ?? []) for (const st of p.downlink?.streams ?? []) fn(`${p.participantId}/${st.ssrc}`, st);
    };
    eachStream(first, (key, st) => reportsSeen.set(key, st.reports));
    let prev = await Promise.all(people.map((p) => p.stats()));
    const relayBefore = await relay.stats();
    const start = Date.now();
    const end = start + seconds * 1_000;
    while (Date.now() < end) {
      const from = Date.now() - t0;
      const heard = await Promise.all(listeners.map(({ listener, speaker }) => listener.hear(WINDOW_MS, [speaker.hz])));
      const next = await Promise.all(people.map((p) => p.stats()));
      listeners.forEach(({ listener, speaker }, i) => {
        const track = heard[i].find((t) => t.participantId === speaker.participantId && t.trackState === 'live');
        const d = statsDelta(prev[i], next[i])[speaker.participantId] ?? {};
        windows[`${listener.name}<-${speaker.name}`].push({
          from, to: Date.now() - t0,
          tone: !!track && track.peakDb >= HEARD_DB && Math.abs(track.peakHz - speaker.hz) <= HZ_TOLERANCE,
          peakHz: track?.peakHz ?? null, peakDb: track?.peakDb ?? null,
          packets: d.packets ?? 0, samples: d.samples ?? 0, concealed: d.concealed ?? 0,
          codec: next[i].tracks.find((t) => t.participantId === speaker.participantId)?.codec ?? null,
        });
      });
      for (const s of next) {
        for (const v of [s.subscribeRtt, s.publishRtt]) if (v != null) rtt.browser.push(v * 1000);
        if (s.publishReportRtt != null) rtt.report.push(s.publishReportRtt * 1000);
      }
      prev = next;
      await levels.sample();
      const server = await serverStats.read();
      serverView = server ?? serverView;
      for (const p of server?.participants ?? []) if (p.downlink?.rttMs != null) rtt.server.push(p.downlink.rttMs);
      eachStream(server, (key, st) => {
        if (st.reports === reportsSeen.get(key)) return;
        reportsSeen.set(key, st.reports);
        if (st.rttMs != null && Date.now() - t0 >= RTT_REPORT_AFTER_MS) rtt.serverReports.push(st.rttMs);
      });
      // Whether the server keeps RED on each direction's stream right after this window.
      const streams = streamsOf(server);
      for (const [dir, ws] of Object.entries(windows)) ws.at(-1).red = streams[dir]?.red ?? null;
      // With audio layers: the layer each direction's listener receives, when it changed.
      for (const [dir, st] of Object.entries(streams)) {
        if (st?.layer && layerSeen.get(dir) !== st.layer) {
          layerSeen.set(dir, st.layer);
          layers.push({ at: Date.now() - t0, dir, layer: st.layer });
        }
      }
      if (stopWhen && (await stopWhen(levels))) break;
    }
    const relayAfter = await relay.stats();
    const streamsAfter = streamsOf(serverView);
    const red = {};
    for (const [dir, after] of Object.entries(streamsAfter)) {
      const before = streamsBefore[dir];
      red[dir] = {
        red: after?.red ?? null,
        redPacketsSent: after?.redPacketsSent == null ? null : after.redPacketsSent - (before?.redPacketsSent ?? 0),
        packetsSent: after?.packetsSent == null ? null : after.packetsSent - (before?.packetsSent ?? 0),
        windowsWithRedKept: windows[dir].filter((w) => w.red).length,
        // What the listener's browser reported about the stream (receiver reports): cumulative lost
        // before the impairment started and at the end, the last interval's loss, how many reports.
        packetsLostBefore: before?.packetsLost ?? null,
        packetsLostAfter: after?.packetsLost ?? null,
        lossPercentLast: after?.lossPercent == null ? null : round(after.lossPercent, 2),
        reports: after?.reports ?? null,
      };
    }
    const serverLevels = Object.fromEntries((serverView?.participants ?? []).filter((p) => p.quality?.level).map((p) => [p.displayName, p.quality.level]));
    return {
      roomId: scenarioRoom, startLevels, windows, rtt, levels: levels.timeline, levelsAvailable: levels.available, layers,
      red, serverLevels, server: serverStats.availability(), serverView,
      relay: {
        up: relayDelta(relayBefore.up, relayAfter.up),
        down: relayDelta(relayBefore.down, relayAfter.down),
      },
    };
  }

  async function plain(name, scenario) {
    const t0 = Date.now();
    await relay.set(scenario.impairment);
    log(`${name}: relay set to ${JSON.stringify(scenario.impairment)}`);
    const r = await listen(scenario.seconds, t0);
    // Loss leaves the path's RTT as it is; delay and a cap's queue do not.
    const undelayed = [scenario.impairment.up, scenario.impairment.down].every((d) => !d.delayMillis && !d.bitsPerSecond);
    if (undelayed) {
      cleanRtt.browser.push(...r.rtt.browser);
      cleanRtt.serverReports.push(...r.rtt.serverReports);
    }
    return { impairment: scenario.impairment, ...r, checks: [startsHigh(r), ...scenario.checks(r)] };
  }

  /**
   * Per direction, the time since `t0` of the last getStats poll (every CLEAN_POLL_MS until `t0 + ms`)
   * at which the listener's concealedSamples for the speaker had grown (0: never after t0).
   */
  async function concealmentStops(t0, ms) {
    const last = Object.fromEntries(listeners.map(({ listener, speaker }) => [`${listener.name}<-${speaker.name}`, 0]));
    let prev = await Promise.all(people.map((p) => p.stats()));
    while (Date.now() < t0 + ms) {
      await sleep(CLEAN_POLL_MS);
      const next = await Promise.all(people.map((p) => p.stats()));
      listeners.forEach(({ listener, speaker }, i) => {
        const d = statsDelta(prev[i], next[i])[speaker.participantId];
        if (!d || d.concealed > 0 || d.samples <= 0) last[`${listener.name}<-${speaker.name}`] = next[i].at - t0;
      });
      prev = next;
    }
    return last;
  }

  /** 20 % loss, then heal: clean again within 2 s, and the level back up after the 10 s rule. */
  async function heal() {
    const impairment = both({ loss: 0.2 });
    let t0 = Date.now();
    await relay.set(impairment);
    const lossy = await listen(8, t0);
    t0 = Date.now();
    await relay.set({});
    log('heal: relay healed');
    const lastConcealedAt = await concealmentStops(t0, CLEAN_WITHIN_MS + 3_000);
    const healed = await listen(4, t0);
    const checks = [startsHigh(lossy), cleanWithin(lastConcealedAt, CLEAN_WITHIN_MS), allWindowsHaveTone(healed), noConcealment(healed)];
    let levelUp = null;
    let layerUp = null;
    if (healed.levelsAvailable) {
      // Until LEVEL_UP_WAIT_MS after healing, not after this point.
      const more = await listen(Math.max(1, (t0 + LEVEL_UP_WAIT_MS - Date.now()) / 1_000), t0, { stopWhen: (l) => l.allAt('high') });
      levelUp = more.levels;
      layerUp = more.layers;
      checks.push(levelBackUp(more, LEVEL_UP_WAIT_MS));
    } else {
      checks.push({ name: 'level back to high', ok: null, notAvailable: 'no quality level in window.cheenhub.state()' });
    }
    return {
      impairment, lossyConcealedPercent: concealedPercent(lossy), lossyLevels: lossy.levels, lossyLayers: lossy.layers, layerUpTimeline: layerUp, lastConcealedAt, lossyWindows: lossy.windows, ...healed, levelUpTimeline: levelUp, checks,
    };
  }

  const failed = [];
  for (const name of wanted) {
    const t0 = Date.now();
    log(`scenario ${name}`);
    let summary;
    try {
      await fresh(name);
      const r = SCENARIOS[name].custom ? await heal() : await plain(name, SCENARIOS[name]);
      summary = summarize(name, r, Date.now() - t0);
    } catch (error) {
      summary = { ok: false, ms: Date.now() - t0, error: error.message };
    } finally {
      await relay.set({}).catch((e) => log(`heal after ${name} failed: ${e.message}`));
    }
    seen.scenarios[name] = summary;
    process.stderr.write(`SUMMARY ${name} ${JSON.stringify(summary)}\n`);
    if (!summary.ok) failed.push(`${name}: ${summary.error ?? summary.checks.filter((c) => c.ok === false).map((c) => c.name).join(', ')}`);
  }
  if (failed.length) throw new Error(`failed: ${failed.join('; ')}`);
});
