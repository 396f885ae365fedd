// Node side of the voice-room E2E: participants (one browser context + page each), what they hear,
// the server's REST/metrics view, and waiting helpers. Scenarios are in ../voice-rooms.mjs.
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { log } from './harness.mjs';
import { installVoiceProbe } from './voice-page.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  // Pages in background contexts must keep their timers and audio running.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
];

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * One headless Chromium for the whole run (closed by the driver's clean-up); `newContext()` gives a
 * fresh browser context and page for one participant, as Participant.open wants it.
 */
export async function launchChromium({ onCleanup, seen, extraArgs = [] }) {
  log(`launching ${CHROMIUM}`);
  const launching = chromium.launch({
    executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 30_000,
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  onCleanup(async () => (await launching.catch(() => null))?.close());
  const browser = await launching;
  seen.version = `Chromium ${browser.version()}`;
  const newContext = async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    return { context, page, addInitScript: (fn, arg) => context.addInitScript(fn, arg) };
  };
  return { browser, newContext };
}

/** Distinct tones, no one within 40 Hz of another's 2nd or 3rd harmonic. */
export const TONES = [350, 550, 750, 950, 1150, 450, 650];
/**
 * Makes a tone speech-like (`dips` of Participant.open): a steady tone is a hum to the speaker selector
 * (docs/architecture.md, its noise floor rises to a level that stays within 6 dB for 1 s) and never gets a
 * speaker slot, so every 600 ms the tone drops 20 dB for 60 ms (at least two whole 20 ms frames: the floor
 * drops on two quiet frames in a row). In a 100 ms window such a dip costs at most
 * 10*log10(0.4 + 0.6*0.01) = -3.9 dB.
 */
export const SPEECH_DIPS = { everyMs: 600, ms: 60, factor: 0.1 };
/** A heard tone must be within this of the sent one (issue 5). */
export const HZ_TOLERANCE = 10;
/** A track "carries a tone" when its averaged FFT peak is above this (sent at -8 dBFS; silence is < -90). */
export const HEARD_DB = -50;
/** A tone counts as absent from a track when it is this far below that track's peak (a forwarded own tone would be at the peak; a loaded machine's concealment raises the floor to ~-55 dB). */
export const ABSENT_BELOW_PEAK_DB = 20;

/** One simulated person: a browser context with its own tone, on the web client page. */
export class Participant {
  constructor(name, hz, context, page) {
    Object.assign(this, { name, hz, context, page, participantId: null, closed: false });
  }

  /**
   * Opens the client page with room/name/autojoin/processing=off. `newContext()` gives a fresh browser
   * context and page; `syntheticTone` false keeps the browser's own microphone (Firefox + PulseAudio
   * playing `hz`); `params` adds query parameters (e.g. {relay: '1'}); `init` ([fn, arg]) is one more
   * init script, `inits` a list of them. `token` (a signed JWT, lib/token.mjs) goes in the page's ?token= for a server that
   * requires one. `dips` makes the synthetic tone speech-like (lib/voice-page.mjs).
   */
  static async open({ newContext, baseUrl, roomId, name, hz, syntheticTone = true, params = {}, init = null, inits = [], token = null, dips = null }) {
    const { context, page, addInitScript } = await newContext();
    await addInitScript(installVoiceProbe, { hz: syntheticTone ? hz : null, dips });
    for (const script of init ? [init, ...inits] : inits) await addInitScript(...script);
    page.on('console', (m) => m.type() === 'error' && log(`${name} console: ${m.text()}`));
    page.on('pageerror', (e) => log(`${name} page error: ${e.message}`));
    const url = new URL(baseUrl);
    const query = { room: roomId, name, autojoin: '1', processing: 'off', ...params };
    if (token) query.token = token;
    url.search = new URLSearchParams(query).toString();
    const p = new Participant(name, hz, context, page);
    p.roomId = roomId;
    await page.goto(url.toString());
    return p;
  }

  state() {
    return this.page.evaluate(() => window.cheenhub?.state?.() ?? null);
  }

  /** Waits until joined with the microphone (publish) connected; remembers the participantId. */
  async joined(timeoutMs = 20_000) {
    let s;
    await until(`${this.name} joined and publishing`, timeoutMs, async () => {
      s = await this.state();
      if (s?.status === 'failed') throw new Error(`${this.name} failed: ${JSON.stringify(s.error)}`);
      return s?.status === 'joined' && s.publish === 'connected';
    }, () => JSON.stringify(s));
    this.participantId = s.participantId;
    return s;
  }

  hear(ms = 600, probeHz = []) {
    return this.page.evaluate((o) => window.__e2e.hear(o), { ms, probeHz });
  }

  stats() {
    return this.page.evaluate(() => window.__e2e.stats());
  }

  leave() {
    return this.page.evaluate(() => window.cheenhub.leave());
  }

  simulateSignalingLoss() {
    return this.page.evaluate(() => window.cheenhub.simulateSignalingLoss());
  }

  /** Resolves to Date.now() in the page when audio of `other` decodes on its current subscribe PC, or null. */
  audioFrom(other, timeoutMs) {
    return this.page.evaluate(([id, t]) => window.__e2e.audioFrom(id, t), [other.participantId, timeoutMs]);
  }

  /** Resolves to Date.now() in the page when its last live track of `other` is gone, or null. */
  gone(other, timeoutMs) {
    return this.page.evaluate(([id, t]) => window.__e2e.gone(id, t), [other.participantId, timeoutMs]);
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.page.close({ runBeforeUnload: false }).catch(() => {});
    await this.context?.close().catch(() => {});
  }
}

/**
 * Checks once that `listener` hears exactly `speakers` (each on its own live track, mapped to the right
 * participant, at the right frequency), and its own tone on none of them. Returns {ok, problems, heard}.
 */
export async function checkHears(listener, speakers, ms = 600) {
  const probe = [listener.hz, ...speakers.map((s) => s.hz)].filter(Boolean);
  const heard = await listener.hear(ms, probe);
  const problems = [];
  const live = heard.filter((t) => t.trackState === 'live');
  for (const s of speakers) {
    const mine = live.filter((t) => t.participantId === s.participantId);
    if (mine.length !== 1) {
      problems.push(`${mine.length} live tracks for ${s.name}`);
      continue;
    }
    const [t] = mine;
    if (t.displayName && t.displayName !== s.name) problems.push(`track of ${s.name} is labelled ${t.displayName}`);
    if (t.peakDb < HEARD_DB) problems.push(`${s.name} silent (peak ${t.peakHz} Hz at ${t.peakDb} dB)`);
    else if (Math.abs(t.peakHz - s.hz) > HZ_TOLERANCE) problems.push(`${s.name} sounds at ${t.peakHz} Hz, sent ${s.hz} Hz`);
  }
  const expected = new Set(speakers.map((s) => s.participantId));
  for (const t of live) {
    if (!expected.has(t.participantId)) problems.push(`unexpected live track of ${t.displayName ?? t.participantId}`);
    if (listener.hz && t.peakDb >= HEARD_DB && t.at[listener.hz] > t.peakDb - ABSENT_BELOW_PEAK_DB) {
      problems.push(`own tone ${listener.hz} Hz on the track of ${t.displayName} (${t.at[listener.hz]} dB)`);
    }
  }
  return {
    ok: problems.length === 0,
    problems,
    heard: live.map((t) => ({ from: t.displayName, peakHz: t.peakHz, peakDb: t.peakDb, ownToneDb: listener.hz ? t.at[listener.hz] : null })),
  };
}

/** Every participant hears every other one (checked in turn until all pass or the time is up). */
export async function everyoneHearsEveryone(people, timeoutMs = 15_000) {
  const result = {};
  for (const p of people) {
    const others = people.filter((o) => o !== p);
    let last;
    await until(`${p.name} hears ${others.map((o) => o.name).join(', ')}`, timeoutMs, async () => {
      last = await checkHears(p, others);
      return last.ok;
    }, () => JSON.stringify(last));
    result[p.name] = last.heard;
  }
  return result;
}

/** Polls `check` every `stepMs` until it returns truthy; throws with `describe()` on time-out. */
export async function until(what, timeoutMs, check, describe = () => '', stepMs = 150) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}; last: ${describe()}`);
    await sleep(stepMs);
  }
}

/**
 * The server's own view: participants of a room (REST) and the transport/participant gauges (metrics).
 * `operatorToken` (lib/token.mjs, permission `operator`, room '*') is sent as a bearer token to a server
 * that requires tokens, whose /api wants one (docs/security.md).
 */
export class ServerView {
  constructor(baseUrl, { operatorToken = null } = {}) {
    this.baseUrl = baseUrl;
    this.metricsUrl = new URL('/metrics', baseUrl);
    this.apiHeaders = operatorToken ? { Authorization: `Bearer ${operatorToken}` } : {};
  }

  async room(roomId) {
    const r = await fetch(new URL(`api/rooms/${encodeURIComponent(roomId)}`, this.baseUrl), { headers: this.apiHeaders });
    if (r.status === 404) return { participants: [] };
    if (!r.ok) throw new Error(`GET api/rooms/${roomId}: ${r.status}`);
    return r.json();
  }

  /** GET api/rooms/{roomId}/stats (per participant uplink and downlink streams, docs/api-reference.md), or null. */
  async roomStats(roomId) {
    const r = await fetch(new URL(`api/rooms/${encodeURIComponent(roomId)}/stats`, this.baseUrl), { headers: this.apiHeaders });
    return r.ok ? r.json() : null;
  }

  /** GET api/forwarding (publishers, subscribers, packets forwarded, drops, latency since start), or null. */
  async forwarding() {
    const r = await fetch(new URL('api/forwarding', this.baseUrl), { headers: this.apiHeaders });
    return r.ok ? r.json() : null;
  }

  /** The Prometheus text of `scope` (null: every scope) as {'name{labels}': value}, without the mp_scope label. */
  async metrics(scope = 'application') {
    const text = await (await fetch(scope ? `${this.metricsUrl}?scope=${scope}` : this.metricsUrl)).text();
    const values = {};
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!m) continue;
      const labels = (m[2] ?? '').replace(/,?mp_scope="[^"]*"/, '').replace(/^\{,?/, '{');
      values[m[1] + (labels === '{}' ? '' : labels)] = Number(m[3]);
    }
    return values;
  }

  /**
   * The sum of the series (any scope) whose name starts with `prefix` and whose labels include `label` (e.g.
   * 'direction="sent"'), whatever other labels they have; with the series summed, so a renamed counter shows.
   */
  async counterSum(prefix, label) {
    const series = Object.entries(await this.metrics(null))
      .filter(([key]) => key.startsWith(prefix) && !/_created(\{|$)/.test(key) && key.includes(label));
    return { value: series.reduce((sum, [, v]) => sum + v, 0), series: series.map(([key]) => key) };
  }

  /** participants in the room, and the global transports/participants gauges. */
  async counts(roomId) {
    const [room, m] = await Promise.all([this.room(roomId), this.metrics()]);
    return {
      roomParticipants: room.participants?.length ?? 0,
      transportsActive: m.sfu_transports_active ?? 0,
      participantsActive: m.sfu_participants_active ?? 0,
      roomsActive: m.sfu_rooms_active ?? 0,
    };
  }

  /** Waits until counts(roomId) matches `want` (a subset); returns {ms, counts}. */
  async awaitCounts(roomId, want, timeoutMs = 10_000) {
    const t0 = Date.now();
    let c;
    // An unreadable answer fails the test: it once was another socket's WebSocket frame written
    // into a recycled HTTP response (issue 13), which must never happen again.
    await until(`server counts ${JSON.stringify(want)} in ${roomId}`, timeoutMs, async () => {
      c = await this.counts(roomId);
      return Object.entries(want).every(([k, v]) => c[k] === v);
    }, () => JSON.stringify(c), 100);
    return { ms: Date.now() - t0, counts: c };
  }
}

/** Per-track deltas between two stats() samples of the same page, keyed by participantId. */
export function statsDelta(before, after) {
  const prev = new Map(before.tracks.map((t) => [t.participantId ?? t.mid, t]));
  const out = {};
  for (const t of after.tracks) {
    const key = t.participantId ?? t.mid;
    const b = prev.get(key) ?? { packetsReceived: 0, concealedSamples: 0, totalSamplesReceived: 0 };
    const samples = t.totalSamplesReceived - b.totalSamplesReceived;
    const concealed = t.concealedSamples - b.concealedSamples;
    out[key] = {
      packets: t.packetsReceived - b.packetsReceived,
      samples,
      concealed,
      concealedRatio: samples > 0 ? concealed / samples : null,
      jitter: t.jitter,
    };
  }
  return out;
}

export const round = (v, digits = 4) => (v == null ? v : Math.round(v * 10 ** digits) / 10 ** digits);

/**
 * After a cut at t0 (a restart, a lost socket, a killed cluster instance): polls until `ready(a, b)` holds
 * for both pages' states, then until both hear each other with packets flowing. Returns the times from t0
 * and whether Bob ever lost Ada meanwhile; throws when audio took longer than `limitMs`. `diagnose(pages)`
 * adds what the pages and server saw to a failure.
 */
export async function audioBack([ada, bob], t0, { ready, diagnose = async () => null, limitMs = Infinity, rejoinMs = 20_000 }) {
  let bobLostAda = false;
  let last;
  await until('rejoined', rejoinMs, async () => {
    const [a, b] = await Promise.all([ada.state(), bob.state()]);
    if (!b.participants?.some((p) => p.participantId === ada.participantId)) bobLostAda = true;
    last = a;
    return a.status === 'joined' && b.status === 'joined' && ready(a, b);
  }, () => JSON.stringify(last), 50);
  const rejoinedMs = Date.now() - t0;
  ada.participantId = (await ada.state()).participantId;
  bob.participantId = (await bob.state()).participantId;
  // Audio is back when each side decodes real samples of the other (timed in the pages); the
  // FFT check afterwards proves it is the right tone on the right track.
  const [atAda, atBob] = await Promise.all([ada.audioFrom(bob, 20_000), bob.audioFrom(ada, 20_000)]);
  if (atAda == null || atBob == null) {
    throw Object.assign(new Error(`no audio decoded within 20 s (Ada ${atAda}, Bob ${atBob})`), {
      partial: { diagnosis: await diagnose([ada, bob]) },
    });
  }
  const audioMs = Math.max(atAda, atBob) - t0;
  let detail;
  await until('the right tones both ways', 10_000, async () => {
    const [ha, hb] = await Promise.all([checkHears(ada, [bob], 300), checkHears(bob, [ada], 300)]);
    detail = { ha, hb };
    return ha.ok && hb.ok;
  }, () => JSON.stringify(detail), 50);
  const verifiedMs = Date.now() - t0;
  if (audioMs > limitMs) {
    throw new Error(`audio both ways back only after ${audioMs} ms (rejoined after ${rejoinedMs} ms; limit ${limitMs})`);
  }
  return { timing: { rejoinedMs, audioBothWaysMs: audioMs, tonesVerifiedMs: verifiedMs }, bobLostAda };
}
