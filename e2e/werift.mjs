// Issue 14's third WebRTC stack: werift (pure TypeScript, npm `werift`) next to Chromium, with every
// packet accounted for. In one room, in this order:
//   1. a werift peer subscribes while nobody publishes (the server's offer has only its inactive anchor
//      m-line, which werift rejects: that answer must be accepted and the transport connect); it leaves;
//   2. a werift publisher sends a real Opus tone (lib/werift-peer.mjs, WERIFT_HZ) for E2E_WERIFT_SECONDS;
//   3. a werift listener subscribes;
//   4. a Chromium page (lib/voice.mjs, TONES[0]) joins, publishes its own tone and listens.
// Passes when the Chromium page hears the werift tone at its frequency, and the counts add up:
//   publisher sent N = server decrypted from it + the publish transport's counted drops (by reason),
//   every datagram the publish transport got is decrypted or counted as dropped, and each listener
//   received (werift: its own count; Chromium: getStats) what the server says it sent to it.
//
// Usage: node werift.mjs <baseUrl> <roomId>. Output contract: lib/harness.mjs.
import { setTimeout as sleep } from 'node:timers/promises';
import { log, run } from './lib/harness.mjs';
import { Participant, ServerView, TONES, checkHears, launchChromium, until } from './lib/voice.mjs';
import { WeriftPeer } from './lib/werift-peer.mjs';

/** The werift tone: not one of lib/voice.mjs TONES nor within 40 Hz of their 2nd/3rd harmonics. */
export const WERIFT_HZ = 850;
const SECONDS = Number(process.env.E2E_WERIFT_SECONDS ?? 10);
/** After the last frame: time for packets in flight, the server's queues and its REST view to settle. */
const SETTLE_MS = 1_500;

await run('werift', async ({ baseUrl, roomId, onCleanup, seen }) => {
  const server = new ServerView(baseUrl);
  const forwardingBefore = await server.forwarding();
  const metricsBefore = await server.metrics();

  // The anchor-only offer: werift rejects its inactive m-line (port 0); that answer must be accepted
  // and the transport connect. werift 0.24.4 then fails any re-offer that adds an m-line after an
  // inactive one ("Transceiver with mid=0 not found": it recycles the inactive transceiver for the new
  // remote m-line), so this early subscriber leaves once connected and the listener subscribes later.
  const early = await WeriftPeer.join({ baseUrl, roomId, name: 'werift-early' });
  onCleanup(() => early.close());
  await early.subscribe();
  await early.subscribed(15_000);
  seen.anchorAnswer = { accepted: early.subscriber.errors.length === 0, errors: early.subscriber.errors };
  log('werift-early: subscribe connected on the anchor-only offer');
  await early.close();

  const speaker = await WeriftPeer.join({ baseUrl, roomId, name: 'werift' });
  onCleanup(() => speaker.close());
  await speaker.publish();
  const tone = speaker.startTone(WERIFT_HZ, SECONDS);

  const listener = await WeriftPeer.join({ baseUrl, roomId, name: 'werift-listener' });
  onCleanup(() => listener.close());
  await listener.subscribe();
  await listener.subscribed(15_000);
  log('werift-listener: subscribe connected');

  const { newContext } = await launchChromium({ onCleanup, seen });
  const page = await Participant.open({ newContext, baseUrl, roomId, name: 'Chromium', hz: TONES[0] });
  onCleanup(() => page.close());
  await page.joined();
  const werift = { name: 'werift', hz: WERIFT_HZ, participantId: speaker.participantId };
  let heard;
  await until('Chromium hears the werift tone', 15_000, async () => {
    heard = await checkHears(page, [werift]);
    return heard.ok;
  }, () => JSON.stringify(heard));
  seen.chromiumHeard = heard.heard;
  log(`Chromium hears werift: ${JSON.stringify(heard.heard)}`);

  await tone;
  await sleep(SETTLE_MS);

  // What each end says, read at one moment after the tone ended.
  const publisherSent = speaker.publishStats();
  const room = await server.room(roomId);
  const stats = await (await fetch(new URL(`api/rooms/${encodeURIComponent(roomId)}/stats`, baseUrl))).json();
  const forwardingAfter = await server.forwarding();
  const metricsAfter = await server.metrics();
  const pageStats = await page.stats();
  const listenerGot = listener.subscribeStats();

  const byId = (list, id) => list.find((p) => p.participantId === id);
  const publish = byId(room.participants, speaker.participantId)?.publish;
  const streamTo = (who) => byId(stats.participants, who)?.downlink?.streams?.find((s) => s.publisherId === speaker.participantId);
  const toListener = streamTo(listener.participantId);
  const toPage = streamTo(page.participantId);
  const listenerStream = listenerGot.find((s) => s.participantId === speaker.participantId);
  const pageTrack = pageStats.tracks.find((t) => t.participantId === speaker.participantId);
  const drops = publish?.drops ?? {};
  const dropped = Object.values(drops).reduce((a, b) => a + b, 0);
  const decrypted = publish?.payloadTypes?.['96'] ?? 0;
  const delta = (after, before) =>
    Object.fromEntries(Object.entries(after ?? {}).map(([k, v]) => [k, v - (before?.[k] ?? 0)]).filter(([, v]) => v));
  const metricDrops = delta(
    Object.fromEntries(Object.entries(metricsAfter).filter(([k]) => k.startsWith('sfu_media_drops_total'))),
    metricsBefore,
  );

  seen.accounting = {
    publisher: publisherSent,
    server: {
      publish: publish && {
        datagramsReceived: publish.datagramsReceived, dtlsDatagramsReceived: publish.dtlsDatagramsReceived,
        rtpPacketsDecrypted: publish.rtpPacketsDecrypted,
        rtcpPacketsDecrypted: publish.rtcpPacketsDecrypted, opusDecrypted: decrypted, drops,
      },
      sentToListener: toListener?.packetsSent ?? null,
      sentToChromium: toPage?.packetsSent ?? null,
      forwardingDrops: delta(forwardingAfter?.drops, forwardingBefore?.drops),
      mediaDropMetrics: metricDrops,
    },
    listener: listenerStream ?? null,
    chromium: pageTrack ? { packetsReceived: pageTrack.packetsReceived, packetsLost: pageTrack.packetsLost } : null,
  };
  seen.listenerAnswers = listener.subscriber.answers.length;
  seen.listenerErrors = listener.subscriber.errors;
  log(`accounting: ${JSON.stringify(seen.accounting)}`);

  const problems = [];
  if (publisherSent.sent < SECONDS * 45) problems.push(`werift sent only ${publisherSent.sent} packets in ${SECONDS} s`);
  if (!publish) problems.push('the server shows no publish transport for werift');
  else {
    // Every packet werift sent: decrypted, or dropped with a reason.
    if (decrypted + dropped < publisherSent.sent || decrypted > publisherSent.sent) {
      problems.push(`werift sent ${publisherSent.sent}, the server decrypted ${decrypted} and counted ${dropped} drops`);
    }
    // Every datagram that reached the transport: decrypted (RTP or RTCP), DTLS, or dropped by reason.
    const used = publish.rtpPacketsDecrypted + publish.rtcpPacketsDecrypted + publish.dtlsDatagramsReceived + dropped;
    if (used !== publish.datagramsReceived) {
      problems.push(`publish transport: ${publish.datagramsReceived} datagrams, ${used} used or dropped`);
    }
  }
  if (!listenerStream) problems.push('the werift listener received nothing from werift');
  else if (toListener == null || listenerStream.packets !== toListener.packetsSent) {
    problems.push(`the server sent ${toListener?.packetsSent} packets to the werift listener, it received ${listenerStream.packets}`);
  }
  if (!pageTrack) problems.push('Chromium has no inbound track for werift');
  else if (toPage == null || pageTrack.packetsReceived !== toPage.packetsSent) {
    problems.push(`the server sent ${toPage?.packetsSent} packets to Chromium, it received ${pageTrack.packetsReceived}`);
  }
  if (problems.length) throw new Error(problems.join('; '));
});
