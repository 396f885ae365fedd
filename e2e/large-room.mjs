// Issue 16's browser proof: a large room on speaker slots with real pages and bots together. The
// driver runs its own Payara Micro with the IT server's settings (lib/payara.mjs; the room limit
// raised to fit 30) and fills one room with 6 Chromium pages (contexts of one headless Chromium),
// 1 Firefox ESR page (puppeteer-core over WebDriver BiDi, its microphone a PulseAudio monitor) and
// 23 silent werift bots (lib/silent-bots.mjs: they publish silence and listen). Each page sends its
// own tone while the driver lets it speak (lib/large-room-page.mjs: the sending tracks' `enabled`,
// without `setMuted`); two pages speak at a time and one of them is replaced every HOLD_MS, 20 times.
// Bots leave and new ones join meanwhile. Checked per page:
//   - the room is on slots: every page receives exactly `speaker-slots` slot tracks and nothing else;
//   - in every phase the page hears each current speaker's tone (Goertzel levels per slot track) on
//     the slot that `activeSpeakers` gives that speaker, and its own tone on none;
//   - no consumeOffer after the room settled on slots, while bots leave and join (and none at the bots);
//   - concealment < 1 % on the slot tracks over the run (getStats);
//   - after each switch a speaker's tone never drops more than 6 dB below its median in a 100 ms window,
//     from its first full window until it stops (the silence before it starts is real).
//
// Usage: node large-room.mjs - <roomId>   (env: E2E_WAR, E2E_MICRO_JAR, E2E_LOG_DIR; E2E_LARGE_* below)
// Output contract: lib/harness.mjs, with `checks` ({name, ok, value, limit}) and SUMMARY on stderr.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer from 'puppeteer-core';
import { cpuBetween, cpuSnapshot } from './lib/cpu.mjs';
import { log, run } from './lib/harness.mjs';
import { installLargeRoomMonitor, recordSlotCounters, slotCounters, startSlotWindows, stopSlotWindows } from './lib/large-room-page.mjs';
import { startOwnServer } from './lib/payara.mjs';
import { startPulseAudio } from './lib/pulse.mjs';
import { SilentBots } from './lib/silent-bots.mjs';
import { writeToneWav } from './lib/tone.mjs';
import { Participant, SPEECH_DIPS, TONES, launchChromium, round, until } from './lib/voice.mjs';

const env = (name, fallback) => Number(process.env[`E2E_LARGE_${name}`] ?? fallback);
/** Issue 16: 6 Chromium pages + 1 Firefox page + 23 bots. */
const CHROMIUM_PAGES = env('CHROMIUM', 6);
const FIREFOX_PAGES = env('FIREFOX', 1);
const BOTS = env('BOTS', 23);
/** Issue 16: speakers change 20 times. */
const CHANGES = env('CHANGES', 20);
/** How long each set of two speakers lasts. */
const HOLD_MS = env('HOLD_MS', 3_000);
/** The server's defaults (docs/deployment.md). */
const SPEAKER_SLOTS = env('SLOTS', 3);
const SLOT_THRESHOLD = env('THRESHOLD', 8);
/** After a change: selection (100 ms passes), activeSpeakers, the jitter buffer. Judged after this. */
const SETTLE_MS = env('SETTLE_MS', 1_000);
/** Bots that leave and are replaced by new ones during the speaker changes. */
const CHURN = env('CHURN', 6);
/** A tone is heard on a slot when its mean level over the steady windows is above this (sent at about -8 dBFS). */
const HEARD_DB = -45;
/**
 * Its own tone is absent from every slot: below this. Forwarded back it would be at about -8 dBFS; a page
 * starved of CPU conceals with broadband noise that reaches -45 dBFS at any of the tones.
 */
const OWN_ABSENT_DB = -30;
/** Issue 16: no window more than this below the talk-spurt's median (a dip of SPEECH_DIPS costs at most 3.9 dB). */
const DIP_LIMIT_DB = 6;
/** Issue 16: concealment on the slot tracks. */
const CONCEALED_LIMIT = 0.01;
/** A muted speaker leaves its slot at the next selection pass (100 ms); the others are told at once. */
const MUTE_LIMIT_MS = 1_000;
const FIREFOX_HZ = TONES[2];
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const FIREFOX_PREFS = {
  'media.navigator.streams.fake': false, // a real capture device, see lib/pulse.mjs
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
};

/** Load average and free memory now, for the report. */
function machine() {
  const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim().split(' ').slice(0, 3).join(' ');
  const mem = /MemAvailable:\s+(\d+)/.exec(spawnSync('cat', ['/proc/meminfo'], { encoding: 'utf8' }).stdout)?.[1];
  return { loadavg: load, memAvailableMb: mem ? Math.round(Number(mem) / 1024) : null };
}

await run('large-room', async ({ roomId, tmp, onCleanup, seen }) => {
  const checks = [];
  seen.checks = checks;
  seen.setup = { chromiumPages: CHROMIUM_PAGES, firefoxPages: FIREFOX_PAGES, bots: BOTS, changes: CHANGES, holdMs: HOLD_MS, slots: SPEAKER_SLOTS, threshold: SLOT_THRESHOLD };
  seen.machine = { atStart: machine() };
  const payara = await startOwnServer({
    tmp, onCleanup, seen,
    properties: {
      'sfu.room.max-participants': 40,
      'sfu.room.speaker-slots': SPEAKER_SLOTS,
      'sfu.room.slot-threshold': SLOT_THRESHOLD,
    },
  });
  const baseUrl = payara.baseUrl;
  const cpuAtStart = cpuSnapshot();

  // --- Pages ---
  const { newContext } = await launchChromium({ onCleanup, seen });
  const pages = [];
  onCleanup(async () => {
    for (const p of pages) await p.close();
  });
  const chromiumTones = TONES.filter((t) => t !== FIREFOX_HZ);
  for (let i = 0; i < CHROMIUM_PAGES; i++) {
    const p = await Participant.open({
      newContext, baseUrl, roomId, name: `Page${i + 1}`, hz: chromiumTones[i], dips: SPEECH_DIPS, inits: [[installLargeRoomMonitor]],
      // E2E_LARGE_LAYERS=0: the pages publish one stream without audio layers (?layers=0), to tell layer effects apart.
      params: process.env.E2E_LARGE_LAYERS === '0' ? { layers: '0' } : {},
    });
    p.browser = 'chromium';
    pages.push(p);
  }
  if (FIREFOX_PAGES > 0) {
    const pulse = await startPulseAudio(join(tmp, 'pulse'), writeToneWav(join(tmp, `tone${FIREFOX_HZ}.wav`), { hz: FIREFOX_HZ, dips: SPEECH_DIPS }), log);
    onCleanup(pulse.stop);
    log(`launching ${FIREFOX}`);
    const launching = puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: join(tmp, 'firefox-profile'),
      env: pulse.env, extraPrefsFirefox: FIREFOX_PREFS, timeout: 60_000,
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    onCleanup(async () => (await launching.catch(() => null))?.close());
    const firefox = await launching;
    seen.firefoxVersion = await firefox.version();
    const newFirefoxPage = async () => {
      const page = await firefox.newPage();
      return { context: null, page, addInitScript: (fn, arg) => page.evaluateOnNewDocument(fn, arg) };
    };
    const p = await Participant.open({
      newContext: newFirefoxPage, baseUrl, roomId, name: 'Fox', hz: FIREFOX_HZ, syntheticTone: false,
      inits: [[installLargeRoomMonitor]],
    });
    p.browser = 'firefox';
    pages.push(p);
  }
  for (const p of pages) await p.joined(60_000);
  // Everyone silent until told to speak.
  for (const p of pages) await p.page.evaluate(() => window.__large.speak(false));
  const nameOf = new Map(pages.map((p) => [p.participantId, p.name]));
  log(`pages joined: ${pages.map((p) => `${p.name}=${p.hz} Hz`).join(', ')}`);

  // --- Bots: the room crosses the threshold and moves to slots ---
  const bots = new SilentBots({ baseUrl, roomId, subscribe: process.env.E2E_LARGE_BOT_SUBSCRIBE !== '0' });
  onCleanup(() => bots.close());
  let botSeq = 0;
  const t0Bots = Date.now();
  const cpuAtBots = cpuSnapshot();
  for (let i = 0; i < BOTS; i++) await bots.add(`Bot${++botSeq}`);
  seen.botsJoinedMs = Date.now() - t0Bots;
  seen.cpuWhileBotsJoined = cpuBetween(cpuAtBots, cpuSnapshot());
  log(`${bots.size} bots joined in ${seen.botsJoinedMs} ms`);

  // Settled: every page plays exactly the slot tracks and no per-publisher track is left.
  let last;
  try {
    await until('every page receives exactly the slot tracks', 60_000, async () => {
      last = await Promise.all(pages.map((p) => p.page.evaluate(() => window.cheenhub.remoteAudio().map((e) => ({ slot: e.slot, mid: e.mid, live: e.track.readyState === 'live' })))));
      return last.every((tracks) => tracks.length === SPEAKER_SLOTS && tracks.every((t) => t.slot != null && t.live));
    }, () => JSON.stringify(last), 500);
  } catch (error) {
    // What each page's connections were doing, and who used the machine since the server was up.
    seen.notOnSlots = Object.fromEntries(await Promise.all(pages.map(async (p) => {
      const st = await p.state().catch(() => null);
      return [p.name, st && { status: st.status, publish: st.publish, subscribe: st.subscribe, reconnects: st.reconnects, tracks: (last?.[pages.indexOf(p)] ?? []).length }];
    })));
    seen.cpuSinceStart = cpuBetween(cpuAtStart, cpuSnapshot());
    throw error;
  }
  await sleep(1_000);
  const offersBefore = await Promise.all(pages.map((p) => p.page.evaluate(() => window.__large.offers())));
  const botOffersBefore = bots.offers();
  seen.offersAtSlots = Object.fromEntries(pages.map((p, i) => [p.name, offersBefore[i]]));
  log(`on slots; offers so far ${JSON.stringify(seen.offersAtSlots)}`);

  // --- The run: two speakers at a time, one replaced every HOLD_MS ---
  const hzList = pages.map((p) => p.hz);
  const counters0 = await Promise.all(pages.map((p) => p.page.evaluate(slotCounters)));
  const starts = await Promise.all(pages.map((p) => p.page.evaluate(startSlotWindows, hzList)));
  await Promise.all(pages.map((p) => p.page.evaluate(recordSlotCounters)));
  // order[i] and order[i+1] speak in phase i; every page speaks, Firefox too.
  const order = Array.from({ length: CHANGES + 2 }, (_, i) => pages[i % pages.length]);
  const phases = [];
  const speak = (p, on) => p.page.evaluate((v) => window.__large.speak(v), on);
  const churn = [];
  const churnEvery = Math.max(1, Math.floor(CHANGES / Math.max(1, CHURN)));
  seen.machine.atRun = machine();
  const cpuAtRun = cpuSnapshot();
  await Promise.all([speak(order[0], true), speak(order[1], true)]);
  phases.push({ at: Date.now(), speakers: [order[0], order[1]] });
  for (let i = 1; i <= CHANGES; i++) {
    // Bots leave and join in the middle of a phase, away from the switch.
    if (i % churnEvery === 0 && churn.length < CHURN) {
      await sleep(HOLD_MS / 2);
      const leaving = bots.list()[0];
      const t = Date.now();
      await bots.remove(leaving);
      const joined = await bots.add(`Bot${++botSeq}`);
      churn.push({ left: leaving.name, joined: joined.name, ms: Date.now() - t });
    }
    const wait = phases.at(-1).at + HOLD_MS - Date.now();
    if (wait > 0) await sleep(wait);
    const [stop, go] = [order[i - 1], order[i + 1]];
    const at = Date.now();
    await Promise.all([speak(stop, false), speak(go, true)]);
    phases.push({ at, speakers: [order[i], order[i + 1]], stopped: stop.name, started: go.name });
  }
  await sleep(HOLD_MS);
  const endAt = Date.now();
  seen.cpu = cpuBetween(cpuAtRun, cpuSnapshot());
  log(`cpu during the run: ${JSON.stringify(seen.cpu)}`);
  await Promise.all(pages.map((p) => speak(p, false)));
  const windows = await Promise.all(pages.map((p) => p.page.evaluate(stopSlotWindows)));
  const counters1 = await Promise.all(pages.map((p) => p.page.evaluate(slotCounters)));
  const messages = await Promise.all(pages.map((p) => p.page.evaluate(() => window.__large.messages)));
  const offersAfter = messages.map((m) => m.filter((x) => x.type === 'consumeOffer').length);
  const botOffersAfter = bots.offers();
  seen.machine.atEnd = machine();
  seen.churn = churn;
  seen.phases = phases.map((ph) => ({ at: ph.at - phases[0].at, speakers: ph.speakers.map((p) => p.name) }));
  // The slot maps the first page got during the run (ms since the first phase), names for ids.
  const who = (id) => nameOf.get(id) ?? (id ? 'bot' : null);
  seen.slotMaps = messages[0].filter((m) => m.type === 'activeSpeakers' && m.at >= phases[0].at - 2_000)
    .map((m) => ({ at: m.at - phases[0].at, slots: m.slots.map((x) => `${x.slot}:${who(x.participantId)}@${x.level}`).join(' '), dominant: who(m.dominant) }));
  // Concealment over time (200 ms getStats samples), near a switch (within 500 ms after one) and elsewhere.
  seen.concealmentOverTime = {};
  for (const [pi, p] of pages.entries()) {
    const samples = await p.page.evaluate(() => window.__large.stopRecording());
    const near = { concealed: 0, samples: 0 };
    const far = { concealed: 0, samples: 0 };
    for (let k = 1; k < samples.length; k++) {
      const [a, b] = [samples[k - 1], samples[k]];
      let dc = 0;
      let dt = 0;
      for (const slot of Object.keys(b.c)) {
        dc += b.c[slot].concealedSamples - (a.c[slot]?.concealedSamples ?? b.c[slot].concealedSamples);
        dt += b.c[slot].totalSamplesReceived - (a.c[slot]?.totalSamplesReceived ?? b.c[slot].totalSamplesReceived);
      }
      const isNear = phases.some((ph) => b.at >= ph.at && b.at - 200 <= ph.at + 500);
      const bucket = isNear ? near : far;
      bucket.concealed += dc;
      bucket.samples += dt;
    }
    seen.concealmentOverTime[p.name] = {
      nearSwitches: { ...near, ratio: near.samples ? round(near.concealed / near.samples, 5) : null },
      elsewhere: { ...far, ratio: far.samples ? round(far.concealed / far.samples, 5) : null },
    };
  }

  // --- Mute: a speaking page mutes (the button's path: setMuted), the others see it and it leaves its slot ---
  const mute = { limitMs: MUTE_LIMIT_MS };
  try {
    const [m, ...others] = pages;
    await speak(m, true);
    await until(`the others give ${m.name} a slot`, 5_000, async () => (await Promise.all(others.map((o) => o.page.evaluate(
      (id) => window.cheenhub.speakers().slots.some((x) => x.participantId === id), m.participantId)))).every(Boolean), () => '', 100);
    const t = Date.now();
    await m.page.evaluate(() => window.cheenhub.setMuted(true));
    mute.confirmedMs = Date.now() - t;
    const views = await Promise.all(others.map((o) => o.page.evaluate(async ([id, limit]) => {
      const t0 = Date.now();
      for (;;) {
        const st = window.cheenhub.state();
        const shown = st.participants.find((x) => x.participantId === id);
        const line = document.querySelector(`#participants [data-participant-id="${id}"]`);
        if (shown?.muted && !st.speakers.slots.some((x) => x.participantId === id) && line?.dataset.muted === 'true') {
          return { ms: Date.now() - t0, layout: document.getElementById('participants').dataset.layout };
        }
        if (Date.now() - t0 > limit) return { ms: null, muted: shown?.muted, slots: st.speakers.slots, line: line?.dataset.muted };
        await new Promise((r) => setTimeout(r, 20));
      }
    }, [m.participantId, MUTE_LIMIT_MS + 2_000])));
    // Per page: ms from the server's confirmation until that page showed it (or what it showed instead).
    mute.seenAfterMs = Object.fromEntries(others.map((o, i) => [o.name, views[i].ms ?? views[i]]));
    mute.layouts = [...new Set(views.map((x) => x.layout))];
    mute.ok = views.every((x) => x.ms != null && x.ms + mute.confirmedMs <= MUTE_LIMIT_MS);
    await m.page.evaluate(() => window.cheenhub.setMuted(false));
    await speak(m, false);
  } catch (error) {
    mute.ok = false;
    mute.error = error.message;
  }
  seen.mute = mute;

  // --- Checks ---
  checks.push({
    name: `a speaking page that mutes (setMuted) is shown muted on every other page's roster and leaves its slot within ${MUTE_LIMIT_MS} ms`,
    ok: mute.ok === true && mute.layouts?.every((l) => l === 'list'), value: mute,
  });
  const hzIndex = (hz) => hzList.indexOf(hz);
  checks.push({
    name: `no consumeOffer at any page after the room settled on slots (${churn.length} bots left and ${churn.length} joined)`,
    ok: churn.length > 0 && offersAfter.every((n, i) => n === offersBefore[i]),
    value: Object.fromEntries(pages.map((p, i) => [p.name, `${offersBefore[i]} -> ${offersAfter[i]}`])),
  });
  const botGrew = Object.entries(botOffersAfter).filter(([name, n]) => botOffersBefore[name] != null && n !== botOffersBefore[name]);
  checks.push({ name: 'no consumeOffer at the bots that stayed', ok: botGrew.length === 0, value: botGrew });

  // Each page's own microphone in 100 ms windows (the control): at wall time t, was its tone already down?
  const ownDipAt = (speaker, t) => {
    const si = pages.indexOf(speaker);
    const own = windows[si]?.own;
    if (!own?.windows.length) return false;
    const f = hzIndex(speaker.hz);
    // Only the windows while it spoke: the median of those is its tone's level.
    const spoke = own.windows.map((w) => w[f]).filter((v) => v > -40).sort((a, b) => a - b);
    if (!spoke.length) return false;
    const median = spoke[Math.floor(spoke.length / 2)];
    // The listener hears it 50 to 400 ms after it left the sender (network, jitter buffer, playout).
    const k = Math.round((t - starts[si].startedAt) / 100);
    for (let i = k - 4; i <= k; i++) {
      const v = own.windows[i]?.[f];
      if (v != null && v > -40 && v < median - DIP_LIMIT_DB) return true;
    }
    return false;
  };

  const perPage = {};
  for (const [pi, p] of pages.entries()) {
    const w = windows[pi];
    const startedAt = starts[pi].startedAt;
    const slotIds = Object.keys(w.slots).map(Number);
    // Window j of every slot covers [startedAt + 100 j, +100): the audio clock, checked against arrivals.
    const n = Math.min(...slotIds.map((s) => w.slots[s].windows.length));
    const lastArrival = w.slots[slotIds[0]].arrivals[n - 1];
    const drift = lastArrival - (startedAt + n * 100);
    const at = (j) => startedAt + j * 100;
    const level = (j, hz) => Math.max(...slotIds.map((s) => w.slots[s].windows[j][hzIndex(hz)]));
    const levelOn = (j, s, hz) => w.slots[s].windows[j][hzIndex(hz)];
    const mapAt = (t) => {
      let map = null;
      for (const m of messages[pi]) if (m.type === 'activeSpeakers' && m.at <= t) map = m;
      return map;
    };
    const problems = [];
    const phaseResults = [];
    for (const [k, ph] of phases.entries()) {
      const from = ph.at + SETTLE_MS;
      const to = (phases[k + 1]?.at ?? endAt) - 200;
      const js = [];
      for (let j = 0; j < n; j++) if (at(j) >= from && at(j) + 100 <= to) js.push(j);
      if (!js.length) {
        problems.push(`phase ${k}: no windows`);
        continue;
      }
      const map = mapAt(at(js[Math.floor(js.length / 2)]));
      const result = { phase: k, heard: {} };
      for (const s of ph.speakers) {
        if (s === p) continue;
        // The slot carrying s: its mean level at s's tone.
        const means = slotIds.map((slot) => [slot, js.reduce((sum, j) => sum + levelOn(j, slot, s.hz), 0) / js.length]);
        const [bestSlot, bestDb] = means.reduce((a, b) => (b[1] > a[1] ? b : a));
        const named = map?.slots?.find((x) => x.participantId === s.participantId)?.slot ?? null;
        result.heard[s.name] = { slot: bestSlot, db: round(bestDb, 1), named };
        if (bestDb < HEARD_DB) problems.push(`phase ${k}: ${s.name} not heard (best slot ${bestSlot} at ${round(bestDb, 1)} dB)`);
        else if (named !== bestSlot) problems.push(`phase ${k}: ${s.name} heard on slot ${bestSlot}, activeSpeakers names slot ${named}`);
      }
      const own = Math.max(...slotIds.map((slot) => js.reduce((sum, j) => sum + levelOn(j, slot, p.hz), 0) / js.length));
      if (own > OWN_ABSENT_DB) problems.push(`phase ${k}: own tone on a slot at ${round(own, 1)} dB`);
      if (ph.speakers.includes(p) && map && !map.slots.some((x) => x.participantId === p.participantId)) {
        problems.push(`phase ${k}: ${p.name} speaks but activeSpeakers has no slot for it`);
      }
      phaseResults.push(result);
    }

    // Talk-spurts of the others: from the phase it starts in until it stops.
    const spurts = [];
    for (const s of pages) {
      if (s === p) continue;
      for (const [k, ph] of phases.entries()) {
        if (!ph.speakers.includes(s) || (k > 0 && phases[k - 1].speakers.includes(s))) continue;
        let end = k;
        while (end + 1 < phases.length && phases[end + 1].speakers.includes(s)) end++;
        spurts.push({ speaker: s, from: ph.at, to: phases[end + 1]?.at ?? endAt, other: (q) => phases.find((x) => x.at <= at(q) && x.speakers.includes(s)) });
      }
    }
    const dips = [];
    const spurtStats = [];
    for (const sp of spurts) {
      const js = [];
      for (let j = 0; j < n; j++) if (at(j) >= sp.from && at(j) + 100 <= sp.to - 150) js.push(j);
      const levels = js.map((j) => level(j, sp.speaker.hz));
      const sorted = [...levels].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      // Real silence before the tone starts: judged from the first window at most 6 dB below the median, plus one.
      const onset = levels.findIndex((v) => v >= median - DIP_LIMIT_DB);
      const judged = onset < 0 ? [] : js.slice(onset + 1);
      for (const j of judged) {
        const v = level(j, sp.speaker.hz);
        if (v < median - DIP_LIMIT_DB) {
          // The other current speaker in the same window: if it dips too, the page's rendering starved.
          const phase = [...phases].reverse().find((x) => x.at <= at(j));
          const others = phase.speakers.filter((o) => o !== sp.speaker && o !== p);
          const otherDip = others.some((o) => level(j, o.hz) < -30 && phase.at + SETTLE_MS <= at(j));
          const senderDip = ownDipAt(sp.speaker, at(j));
          dips.push({ speaker: sp.speaker.name, window: j, atMs: at(j) - phases[0].at, db: v, medianDb: median, sinceSwitchMs: at(j) - phase.at, otherDip, senderDip });
        }
      }
      spurtStats.push({ speaker: sp.speaker.name, fromMs: sp.from - phases[0].at, windows: judged.length, onsetMs: onset * 100, medianDb: median, minDb: Math.min(...judged.map((j) => level(j, sp.speaker.hz))) });
    }

    // Concealment over the run, all slot tracks together.
    let total = 0;
    let concealed = 0;
    let silent = 0;
    const bySlot = {};
    for (const [slot, c1] of Object.entries(counters1[pi])) {
      const c0 = counters0[pi][slot] ?? { totalSamplesReceived: 0, concealedSamples: 0, silentConcealedSamples: 0, packetsReceived: 0 };
      const dt = c1.totalSamplesReceived - c0.totalSamplesReceived;
      const dc = c1.concealedSamples - c0.concealedSamples;
      total += dt;
      concealed += dc;
      silent += c1.silentConcealedSamples - c0.silentConcealedSamples;
      bySlot[slot] = { samples: dt, concealed: dc, packets: c1.packetsReceived - c0.packetsReceived, lost: c1.packetsLost - (c0.packetsLost ?? 0) };
    }
    const ratio = total > 0 ? concealed / total : null;
    perPage[p.name] = {
      browser: p.browser, hz: p.hz, windows: n, clockDriftMs: drift, phases: phaseResults, problems: problems.slice(0, 20),
      spurts: spurtStats, dips: dips.slice(0, 20), concealment: { ratio: round(ratio, 5), samples: total, concealed, silentConcealed: silent, bySlot },
    };
    checks.push({
      name: `${p.name} (${p.browser}): in every phase hears each current speaker on the slot activeSpeakers names, never itself`,
      ok: problems.length === 0, value: problems.length, problems: problems.slice(0, 10),
    });
    checks.push({
      name: `${p.name} (${p.browser}): concealed < ${CONCEALED_LIMIT * 100} % on the slot tracks`,
      ok: ratio != null && ratio < CONCEALED_LIMIT, value: ratio == null ? null : round(100 * ratio, 3), limit: CONCEALED_LIMIT * 100,
    });
    // A dip the sender's own microphone track already had, or one where the other speaker's tone on this
    // page dips too (this page's audio rendering starved), is not the switch: counted, reported, not failed.
    const unexplained = dips.filter((d) => !d.otherDip && !d.senderDip);
    checks.push({
      name: `${p.name} (${p.browser}): no speaker's tone more than ${DIP_LIMIT_DB} dB below its median in a 100 ms window after it started (but where the sender's own track or the other speaker dipped too)`,
      ok: spurtStats.length > 0 && unexplained.length === 0, value: unexplained.length, limit: 0,
      dips: dips.length, senderDips: dips.filter((d) => d.senderDip).length, otherSpeakerDips: dips.filter((d) => d.otherDip).length,
      first: unexplained.slice(0, 5),
    });
  }
  seen.pages = perPage;
  for (const c of checks) log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${JSON.stringify(c.value)}`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) throw new Error(`${failed.length} check(s) failed: ${failed.map((c) => c.name).join('; ')}`);
});
