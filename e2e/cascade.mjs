// Issue 18's cascade with real media: one room spanning two instances of a Data Grid cluster. Two Payara Micro
// instances n0 and n1 (lib/cluster.mjs) with `sfu.cluster.cascade=true` and a relay UDP port each; no load
// balancer: every participant loads from and talks to its own instance. Chromium page Ada (450 Hz) joins room R
// on n0 first (n0 owns the room), then Bob (650 Hz) joins R on n1, which serves him there (no `redirect`); then
// three silent werift bots (lib/silent-bots.mjs) join on each instance. A cascaded room is always on speaker
// slots (3 by default). Checked:
//   - nobody was redirected; each page's roster and each instance's GET api/rooms/R hold all 8 participants,
//     the latter with the instance each one joined;
//   - each page hears the other page's tone (Goertzel levels per slot track, lib/large-room-page.mjs) on the
//     slot that its `activeSpeakers` gives the other page, and its own tone on no slot;
//   - each bot receives the page on the other instance at full rate on the slot its `activeSpeakers` names;
//   - each instance's relay (`sfu_relay_packets_total{direction="sent"}`, sampled over 10 s) sends more than
//     0.8 × 50 packets/s (its one talking page) and at most 3 slots × 50 × 1.1: only the selected speakers
//     cross, not the 4 publishers of a side (200 packets/s);
//   - a bot leaving n1 and another joining there reach both pages as participantLeft/participantJoined, and no
//     page (nor any bot that stayed) gets a consumeOffer after the room settled on its slots;
//   - when Bob leaves, Ada's roster and n0's view of the room lose him.
//
// Usage: node cascade.mjs - <roomId>   (env E2E_WAR, E2E_MICRO_JAR, E2E_LOG_DIR as for cluster.mjs)
// Output contract: lib/harness.mjs, with `checks` ({name, ok, value, ...}) and `SUMMARY cascade {...}` on stderr.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster } from './lib/cluster.mjs';
import { threadCpuNs } from './lib/cpu.mjs';
import { log, run } from './lib/harness.mjs';
import { installLargeRoomMonitor, startSlotWindows, stopSlotWindows } from './lib/large-room-page.mjs';
import { freeUdpPort } from './lib/payara.mjs';
import { SilentBots } from './lib/silent-bots.mjs';
import { Participant, SPEECH_DIPS, ServerView, TONES, launchChromium, round, until } from './lib/voice.mjs';

/** The server's default `sfu.room.speaker-slots` (docs/deployment.md); a cascaded room is always on slots. */
const SLOTS = 3;
const BOTS_PER_INSTANCE = 3;
/** Opus at 20 ms frames: packets per second of one publisher. */
const PACKETS_PER_SECOND = 50;
/** How long the relay counters, the pages' slot tracks and the bots' packets are sampled. */
const WINDOW_MS = 10_000;
/** The first part of the window left out of the level means (activeSpeakers settling, the jitter buffer). */
const SETTLE_MS = 1_000;
/** The relay rate: more than this share of one talking page per side … */
const RELAY_MIN_SHARE = 0.8;
/** … and at most the slots' packets with this margin (timer jitter, a retransmission now and then). */
const RELAY_MAX_MARGIN = 1.1;
/** A tone is heard on a slot when its mean level is above this (sent at about -8 dBFS). */
const HEARD_DB = -45;
/** A page's own tone is absent from every slot below this (forwarded back it would be at about -8 dBFS). */
const OWN_ABSENT_DB = -30;
/** The windows in which activeSpeakers must name the other page in some slot. */
const NAMED_SHARE = 0.9;
/** Generous: a roster change travels over the grid and one signaling hop. */
const ROSTER_LIMIT_MS = 10_000;
/** After the bots' churn: a consumeOffer caused by it would have arrived by then. */
const OFFER_QUIET_MS = 2_000;
/**
 * The pages' tones. Odd multiples of 50 Hz (lib/voice.mjs TONES), not 440/660: the Goertzel blocks are 20 ms, in
 * which such a tone has whole cycles and reads nothing at the other's frequency; 660 Hz showed at 440 Hz at
 * -31.7 dBFS, next to the own-tone limit.
 */
const ADA_HZ = TONES[5];
const BOB_HZ = TONES[6];

await run('cascade', async ({ roomId, tmp, onCleanup, seen }) => {
  const checks = [];
  seen.checks = checks;
  const check = (name, ok, value, extra = {}) => {
    checks.push({ name, ok: Boolean(ok), value, ...extra });
    log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${JSON.stringify(value)}${ok || !Object.keys(extra).length ? '' : ` ${JSON.stringify(extra)}`}`);
  };
  const logDir = process.env.E2E_LOG_DIR ? join(process.env.E2E_LOG_DIR, `cascade-${Date.now()}`) : join(tmp, 'cascade');
  seen.serverLogs = logDir;

  // --- Two instances, each with its relay port; the first join decides the room's owner ---
  const relayPorts = [await freeUdpPort(), await freeUdpPort()];
  const { instances, whole } = await startCluster({
    size: 2, logDir, onCleanup,
    properties: (n) => ({ 'sfu.cluster.cascade': true, 'sfu.cluster.relay-port': relayPorts[n] }),
  });
  await whole();
  const views = instances.map((i) => new ServerView(i.baseUrl));
  seen.instances = instances.map((i, n) => ({ instance: `n${n}`, baseUrl: i.baseUrl, relayPort: relayPorts[n] }));

  const { newContext } = await launchChromium({ onCleanup, seen });
  const pages = [];
  onCleanup(async () => {
    for (const p of pages) await p.close();
  });
  const messagesOf = (p) => p.page.evaluate(() => window.__large.messages);
  const openPage = async (n, name, hz) => {
    const p = await Participant.open({
      newContext, baseUrl: instances[n].baseUrl, roomId, name, hz, dips: SPEECH_DIPS, inits: [[installLargeRoomMonitor]],
    });
    p.instance = `n${n}`;
    pages.push(p);
    try {
      await p.joined(60_000);
    } catch (error) {
      // Where the page was sent instead (a server without cascade redirects it to the room's instance).
      const redirects = (await messagesOf(p).catch(() => [])).filter((m) => m.type === 'redirect').map((m) => m.url);
      throw new Error(`${error.message}${redirects.length ? `; redirected to ${redirects.join(', ')}` : ''}`);
    }
    log(`${name} (${hz} Hz) joined ${roomId} on n${n} as ${p.participantId}`);
    return p;
  };
  const ada = await openPage(0, 'Ada', ADA_HZ);
  const bob = await openPage(1, 'Bob', BOB_HZ);
  ada.other = bob;
  bob.other = ada;

  const bots = [0, 1].map((n) => new SilentBots({ baseUrl: instances[n].baseUrl, roomId }));
  for (const b of bots) onCleanup(() => b.close());
  for (const [n, b] of bots.entries()) {
    for (let i = 1; i <= BOTS_PER_INSTANCE; i++) (await b.add(`n${n}-bot${i}`)).instance = `n${n}`;
  }
  const everyone = () => [...pages.filter((p) => !p.closed), ...bots.flatMap((b) => b.list())];
  const offersOf = (p) => p.page.evaluate(() => window.__large.offers());
  const rosterOf = async (p) => (await p.state()).participants.map((x) => ({ participantId: x.participantId, displayName: x.displayName }));

  // --- Nobody was redirected ---
  const redirects = {};
  for (const p of pages) {
    const got = (await messagesOf(p)).filter((m) => m.type === 'redirect');
    if (got.length) redirects[p.name] = got.map((m) => m.url);
  }
  for (const b of bots.flatMap((x) => x.list())) if (b.redirected) redirects[b.name] = [b.redirected.url];
  check('no page and no bot got a `redirect`: each was served by the instance it joined', Object.keys(redirects).length === 0, redirects);

  // --- Rosters: every page lists the 7 others with their real ids and names ---
  const expectedRoster = (p) => everyone().filter((x) => x !== p).map((x) => `${x.participantId}=${x.name}`).sort();
  const rosterMatches = async (p) => {
    const got = (await rosterOf(p)).map((x) => `${x.participantId}=${x.displayName}`).sort();
    return { ok: JSON.stringify(got) === JSON.stringify(expectedRoster(p)), got };
  };
  for (const p of pages) {
    let last;
    const ok = await until(`${p.name}'s roster holds everyone`, ROSTER_LIMIT_MS, async () => (last = await rosterMatches(p)).ok, () => '', 250)
      .then(() => true, () => false);
    check(`${p.name} (on ${p.instance}): the roster holds all ${everyone().length} participants of both instances`, ok,
      ok ? last.got.length + 1 : { expected: expectedRoster(p), got: last.got });
  }

  // --- The server's view: each instance's GET api/rooms/R lists all, each with the instance it joined ---
  const instanceOf = (id) => everyone().find((x) => x.participantId === id)?.instance;
  for (const [n, view] of views.entries()) {
    const room = await view.room(roomId).catch((e) => ({ error: e.message, participants: [] }));
    const listed = (room.participants ?? []).map((x) => ({ participantId: x.participantId, instance: x.instance ?? null }));
    const wrong = listed.filter((x) => x.instance !== instanceOf(x.participantId));
    const byInstance = listed.reduce((acc, x) => ({ ...acc, [x.instance]: (acc[x.instance] ?? 0) + 1 }), {});
    check(`n${n}: GET api/rooms/${roomId} lists all ${everyone().length} participants, each with the instance it joined`,
      listed.length === everyone().length && wrong.length === 0, { byInstance, wrong: wrong.slice(0, 8), error: room.error });
  }

  // --- Settled: each page plays exactly the slot tracks, and its activeSpeakers names the other page ---
  let last;
  await until(`every page plays ${SLOTS} slot tracks and has the other page in a slot`, 30_000, async () => {
    last = await Promise.all(pages.map((p) => p.page.evaluate((otherId) => ({
      tracks: window.cheenhub.remoteAudio().map((e) => ({ slot: e.slot, live: e.track.readyState === 'live' })),
      otherInSlot: window.cheenhub.speakers().slots.some((s) => s.participantId === otherId),
    }), p.other.participantId)));
    return last.every((x) => x.tracks.length === SLOTS && x.tracks.every((t) => t.slot != null && t.live) && x.otherInSlot);
  }, () => JSON.stringify(last), 250);
  await sleep(1_000);
  const offersAtSlots = await Promise.all(pages.map(offersOf));
  const botOffersAtSlots = Object.assign({}, ...bots.map((b) => b.offers()));

  // --- 10 s: the relay counters on both instances, the pages' slot tracks, the bots' slot packets ---
  // The relay receive thread's CPU (Cascade.RECEIVE_THREAD: receive, SSRC lookup, GCM decrypt, the remote
  // speaker's fan-out to this instance's listeners) per relay packet taken.
  const relay = async () => Promise.all(views.map(async (v, n) => {
    const [sent, received] = await Promise.all([v.counterSum('sfu_relay_packets', 'direction="sent"'), v.counterSum('sfu_relay_packets', 'direction="received"')]);
    return { at: Date.now(), sent, received, receiveNs: threadCpuNs(instances[n].pid(), 'sfu-relay-recv') };
  }));
  const botPackets = () => new Map(bots.flatMap((b) => b.list()).map((bot) => [bot, bot.subscribeStats()]));
  const hzList = [ADA_HZ, BOB_HZ];
  const relay0 = await relay();
  const bots0 = botPackets();
  const botsAt0 = Date.now();
  const starts = await Promise.all(pages.map((p) => p.page.evaluate(startSlotWindows, hzList)));
  await sleep(WINDOW_MS);
  const windows = await Promise.all(pages.map((p) => p.page.evaluate(stopSlotWindows)));
  const endAt = Date.now();
  const bots1 = botPackets();
  const botSeconds = (Date.now() - botsAt0) / 1000;
  const relay1 = await relay();

  // Relay: only the selected speakers cross.
  const relayMax = SLOTS * PACKETS_PER_SECOND * RELAY_MAX_MARGIN;
  const relayMin = RELAY_MIN_SHARE * PACKETS_PER_SECOND;
  seen.relay = {};
  for (const n of [0, 1]) {
    const seconds = (relay1[n].at - relay0[n].at) / 1000;
    const rate = (k) => round((relay1[n][k].value - relay0[n][k].value) / seconds, 1);
    const taken = relay1[n].received.value - relay0[n].received.value;
    const receiveMicrosPerPacket = relay0[n].receiveNs != null && relay1[n].receiveNs != null && taken > 0
      ? round((relay1[n].receiveNs - relay0[n].receiveNs) / 1000 / taken, 2) : null;
    seen.relay[`n${n}`] = { sentPerSecond: rate('sent'), receivedPerSecond: rate('received'), receiveMicrosPerPacket, seconds, series: relay1[n].sent.series.concat(relay1[n].received.series) };
    const found = relay1[n].sent.series.length > 0;
    check(`n${n}: the relay sends more than ${relayMin} and at most ${relayMax} packets/s (only the selected speakers; all 4 publishers of a side would be ${4 * PACKETS_PER_SECOND})`,
      found && rate('sent') > relayMin && rate('sent') <= relayMax, found ? rate('sent') : 'no sfu_relay_packets…{direction="sent"} series in /metrics',
      { min: relayMin, max: relayMax, receivedPerSecond: rate('received') });
  }

  // Pages: the other page's tone on the slot activeSpeakers names for it, the own tone on none.
  const messages = await Promise.all(pages.map(messagesOf));
  seen.pages = {};
  for (const [pi, p] of pages.entries()) {
    const w = windows[pi];
    const slotIds = Object.keys(w.slots).map(Number);
    const n = Math.min(...slotIds.map((s) => w.slots[s].windows.length));
    const at = (j) => starts[pi].startedAt + j * 100;
    const js = [];
    for (let j = 0; j < n; j++) if (at(j) >= starts[pi].startedAt + SETTLE_MS && at(j) + 100 <= endAt - 200) js.push(j);
    const namedAt = (t) => {
      let map = null;
      for (const m of messages[pi]) if (m.type === 'activeSpeakers' && m.at <= t) map = m;
      return map?.slots?.find((x) => x.participantId === p.other.participantId)?.slot ?? null;
    };
    const level = (j, slot, hz) => w.slots[slot].windows[j][hzList.indexOf(hz)];
    const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : -Infinity);
    const named = js.map((j) => namedAt(at(j)));
    const namedWindows = js.filter((_, k) => named[k] != null);
    const onNamed = mean(namedWindows.map((j) => level(j, namedAt(at(j)), p.other.hz)));
    const perSlot = Object.fromEntries(slotIds.map((slot) => [slot, {
      other: round(mean(js.map((j) => level(j, slot, p.other.hz))), 1),
      own: round(mean(js.map((j) => level(j, slot, p.hz))), 1),
    }]));
    const best = slotIds.reduce((a, b) => (perSlot[b].other > perSlot[a].other ? b : a));
    const counts = named.filter((x) => x != null).reduce((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});
    const usual = Object.keys(counts).length ? Number(Object.entries(counts).reduce((a, b) => (b[1] > a[1] ? b : a))[0]) : null;
    const own = Math.max(...slotIds.map((slot) => perSlot[slot].own));
    const result = {
      windows: js.length, namedShare: round(namedWindows.length / Math.max(1, js.length), 3), namedSlots: counts,
      otherOnNamedDb: round(onNamed, 1), loudestSlot: best, perSlot, ownMaxDb: round(own, 1),
    };
    seen.pages[p.name] = result;
    check(`${p.name} (on ${p.instance}) hears ${p.other.name} (on ${p.other.instance}, ${p.other.hz} Hz) above ${HEARD_DB} dBFS on the slot activeSpeakers gives ${p.other.name}`,
      result.namedShare >= NAMED_SHARE && onNamed >= HEARD_DB && best === usual, result);
    check(`${p.name} does not hear its own tone (${p.hz} Hz) on any slot (below ${OWN_ABSENT_DB} dBFS)`, own < OWN_ABSENT_DB, round(own, 1));
  }

  // Bots: the page on the other instance arrives on the slot their activeSpeakers names, at full rate. What the
  // bot's own instance says it sent on each of its slots (holder, packets) goes with a failure.
  const serverStats = await Promise.all(views.map((v) => v.roomStats(roomId).catch(() => null)));
  const serverSent = (bot) => serverStats[Number(bot.instance.slice(1))]?.participants
    ?.find((x) => x.participantId === bot.participantId)?.downlink?.streams?.map((x) => ({ track: x.track, publisherId: x.publisherId ?? null, packetsSent: x.packetsSent })) ?? null;
  seen.bots = {};
  for (const [bot, after] of bots1) {
    const remote = pages.find((p) => p.instance !== bot.instance);
    const slot = bot.signaling.last('activeSpeakers')?.slots?.find((x) => x.participantId === remote.participantId)?.slot ?? null;
    const before = bots0.get(bot) ?? [];
    const packets = {};
    for (const s of after) {
      const key = s.streamId ?? s.participantId ?? s.mid;
      packets[key] = (packets[key] ?? 0) + s.packets - (before.find((x) => x.ssrc === s.ssrc)?.packets ?? 0);
    }
    const perStream = Object.fromEntries(Object.entries(packets).map(([key, k]) => [key, round(k / botSeconds, 1)]));
    const rate = slot == null ? null : perStream[`slot-${slot}`] ?? 0;
    seen.bots[bot.name] = { instance: bot.instance, remote: remote.name, slot, packetsPerSecond: perStream };
    const ok = rate != null && rate > relayMin;
    check(`${bot.name} (on ${bot.instance}) receives ${remote.name} (on ${remote.instance}) at more than ${relayMin} packets/s on the slot activeSpeakers names`,
      ok, rate, { slot, perStream, ...(ok ? {} : { serverSent: serverSent(bot) }) });
  }

  // --- Churn on n1: a bot leaves, another joins; the pages see both, and nobody is offered anything new ---
  const leaving = bots[1].list()[0];
  await bots[1].remove(leaving);
  const newcomer = await bots[1].add(`n1-bot${BOTS_PER_INSTANCE + 1}`);
  newcomer.instance = 'n1';
  for (const p of pages) {
    const ok = await until(`${p.name} sees ${leaving.name} leave and ${newcomer.name} join`, ROSTER_LIMIT_MS, async () => (await rosterMatches(p)).ok, () => '', 250)
      .then(() => true, () => false);
    const got = await messagesOf(p);
    const left = got.some((m) => m.type === 'participantLeft' && m.participantId === leaving.participantId);
    const joined = got.some((m) => m.type === 'participantJoined' && m.participant?.participantId === newcomer.participantId && m.participant?.displayName === newcomer.name);
    check(`${p.name} (on ${p.instance}) got participantLeft for ${leaving.name} and participantJoined for ${newcomer.name} (on n1), and its roster shows it`,
      ok && left && joined, { participantLeft: left, participantJoined: joined, roster: ok });
  }
  await sleep(OFFER_QUIET_MS);
  const offersAfter = await Promise.all(pages.map(offersOf));
  check('no consumeOffer at any page after the room settled on its slots (the relay\'s speakers and the bots\' churn included)',
    offersAfter.every((x, i) => x === offersAtSlots[i]),
    Object.fromEntries(pages.map((p, i) => [p.name, `${offersAtSlots[i]} -> ${offersAfter[i]}`])));
  const botOffersAfter = Object.assign({}, ...bots.map((b) => b.offers()));
  const botGrew = Object.entries(botOffersAfter).filter(([name, x]) => botOffersAtSlots[name] != null && x !== botOffersAtSlots[name]);
  check('no consumeOffer at the bots that stayed', botGrew.length === 0, botGrew);

  // --- Bob leaves: Ada and n0 lose him ---
  await bob.leave();
  const gone = await until('Ada\'s roster loses Bob', ROSTER_LIMIT_MS, async () =>
    !(await rosterOf(ada)).some((x) => x.participantId === bob.participantId), () => '', 250).then(() => true, () => false);
  const leftMessage = (await messagesOf(ada)).some((m) => m.type === 'participantLeft' && m.participantId === bob.participantId);
  await bob.close();
  const n0View = await until('n0 no longer lists Bob', ROSTER_LIMIT_MS, async () =>
    !(await views[0].room(roomId)).participants.some((x) => x.participantId === bob.participantId), () => '', 250).then(() => true, () => false);
  check('after Bob (on n1) leaves, Ada (on n0) gets participantLeft for him, her roster and n0\'s GET api/rooms drop him',
    gone && leftMessage && n0View, { roster: gone, participantLeft: leftMessage, n0: n0View });

  seen.offers = { pagesAtSlots: offersAtSlots, pagesAfterChurn: offersAfter };
  log(`SUMMARY cascade ${JSON.stringify({ relay: seen.relay, pages: seen.pages, bots: seen.bots, offers: seen.offers })}`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) throw new Error(`${failed.length} check(s) failed: ${failed.map((c) => c.name).join('; ')}`);
});
