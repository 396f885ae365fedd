// Non-speaking participants for the large-room E2E: werift peers (lib/werift-peer.mjs) that join,
// publish a microphone that stays silent and listen. Their uplink is real Opus RTP (one encoded
// 20 ms silence frame, sent again every 20 ms) with the RFC 6464 level of silence, so the server
// meters them like quiet people; one timer paces all of them, so 23 bots cost little CPU.
import { setTimeout as sleep } from 'node:timers/promises';
import OpusScript from 'opusscript';
import { RtpHeader, RtpPacket } from 'werift';
import { FRAME_MS, WeriftPeer, extensionId } from './werift-peer.mjs';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
/** RFC 6464 §3: V = 0 and level 127 (-127 dBov): digital silence. */
const SILENCE_LEVEL_BYTE = 0x7f;
const FRAME_SAMPLES = (48_000 * FRAME_MS) / 1000;

/** One Opus frame of 20 ms silence (mono, 48 kHz), encoded once. */
function silenceFrame() {
  const encoder = new OpusScript(48_000, 1, OpusScript.Application.VOIP);
  try {
    return Buffer.from(encoder.encode(Buffer.alloc(FRAME_SAMPLES * 2), FRAME_SAMPLES));
  } finally {
    encoder.delete();
  }
}

/** A room's silent bots and the one timer that feeds their microphones. */
export class SilentBots {
  #frame = silenceFrame();
  #bots = new Set();
  #running = false;
  #loop = null;

  constructor({ baseUrl, roomId, subscribe = true }) {
    Object.assign(this, { baseUrl, roomId, subscribe });
  }

  get size() {
    return this.#bots.size;
  }

  list() {
    return [...this.#bots];
  }

  /** Joins one bot: join, publish (connected), subscribe (connected when `subscribe`). */
  async add(name) {
    const peer = await WeriftPeer.join({ baseUrl: this.baseUrl, roomId: this.roomId, name });
    try {
      await peer.publish();
      peer.levelId = extensionId(peer.publisher.answer, AUDIO_LEVEL_URI);
      peer.seq = 0;
      this.#bots.add(peer);
      this.#start();
      if (this.subscribe) {
        await peer.subscribe();
        await peer.subscribed(20_000);
      }
    } catch (error) {
      this.#bots.delete(peer);
      await peer.close().catch(() => {});
      throw error;
    }
    return peer;
  }

  /** One bot leaves (`leave`, then its socket and PeerConnections close). */
  async remove(peer) {
    this.#bots.delete(peer);
    try {
      await peer.signaling.request({ type: 'leave', roomId: this.roomId }, 'left');
    } catch {
      // Closing leaves too.
    }
    await peer.close();
  }

  /** consumeOffers each bot answered (its subscribe PeerConnection). */
  offers() {
    return Object.fromEntries(this.list().map((b) => [b.name, b.subscriber?.offers.length ?? 0]));
  }

  #start() {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      const t0 = performance.now();
      for (let k = 0; this.#running; k++) {
        const wait = t0 + k * FRAME_MS - performance.now();
        if (wait > 0) await sleep(wait);
        else if (wait < -200) k += Math.floor(-wait / FRAME_MS); // far behind (a stalled machine): skip, do not burst
        for (const bot of this.#bots) {
          const pub = bot.publisher;
          if (!pub || pub.stopped) continue;
          const header = new RtpHeader({
            payloadType: 96, sequenceNumber: bot.seq & 0xffff, timestamp: (bot.seq * FRAME_SAMPLES) >>> 0, marker: bot.seq === 0,
            extensions: bot.levelId ? [{ id: bot.levelId, payload: Buffer.from([SILENCE_LEVEL_BYTE]) }] : [],
          });
          bot.seq++;
          try {
            pub.track.writeRtp(new RtpPacket(header, this.#frame));
          } catch {
            // Closing meanwhile.
          }
        }
      }
    })();
  }

  async close() {
    this.#running = false;
    await this.#loop;
    await Promise.allSettled(this.list().map((b) => b.close()));
    this.#bots.clear();
  }
}
