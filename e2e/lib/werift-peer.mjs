// A werift (pure TypeScript WebRTC, npm `werift`) participant speaking the server's signaling
// (docs/api-reference.md) from Node: join, publish a real Opus tone, subscribe and count what
// arrives. werift has no audio codec, so the tone is encoded here with opusscript (libopus compiled
// to WebAssembly) and written as RTP, one 20 ms frame per 20 ms of wall clock.
import { setTimeout as sleep } from 'node:timers/promises';
import OpusScript from 'opusscript';
import {
  MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket,
  useAudioLevelIndication, useSdesMid,
} from 'werift';
import WebSocket from 'ws';
import { log } from './harness.mjs';

/** RFC 7587 §4.1: Opus RTP timestamps tick at 48 kHz whatever the coded bandwidth. */
const OPUS_CLOCK_HZ = 48_000;
/** One Opus frame per packet, 20 ms: what browsers send. */
export const FRAME_MS = 20;
const FRAME_SAMPLES = (OPUS_CLOCK_HZ * FRAME_MS) / 1000;
/** The tone's amplitude, -8 dBFS like the browsers' tones in lib/voice-page.mjs. */
const TONE_AMPLITUDE = 10 ** (-8 / 20);
const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const REQUEST_TIMEOUT_MS = 10_000;

/** The signaling WebSocket: requests with a requestId, everything else as events by `type`. */
class Signaling {
  #socket;
  #pending = new Map();
  #handlers = new Map();
  #last = new Map();
  #nextId = 1;

  /** Opens `<baseUrl>ws`, or `wsUrl` when given (a `redirect`'s url). */
  static async open(baseUrl, name, wsUrl = null) {
    const url = wsUrl ?? new URL('ws', baseUrl.replace(/^http/, 'ws'));
    const s = new Signaling();
    s.name = name;
    s.#socket = new WebSocket(url);
    s.#socket.on('message', (data) => s.#receive(JSON.parse(String(data))));
    s.#socket.on('close', () => {
      for (const { reject } of s.#pending.values()) reject(new Error(`${name}: signaling closed`));
      s.#pending.clear();
    });
    await new Promise((resolve, reject) => {
      s.#socket.once('open', resolve);
      s.#socket.once('error', reject);
    });
    return s;
  }

  #receive(message) {
    this.#last.set(message.type, message);
    const waiting = message.requestId != null && this.#pending.get(message.requestId);
    // A `redirect` answers a join (the room is on another instance of the cluster).
    if (waiting && (message.type === waiting.reply || message.type === 'error' || message.type === 'redirect')) {
      this.#pending.delete(message.requestId);
      if (message.type === 'error') waiting.reject(new Error(`${this.name}: ${message.code}: ${message.message}`));
      else waiting.resolve(message);
      // A consumeOffer answers `subscribe` and is also an event the subscriber handles.
      if (message.type !== 'consumeOffer') return;
    }
    if (message.type === 'error') log(`${this.name}: server error ${message.code}: ${message.message}`);
    for (const fn of this.#handlers.get(message.type) ?? []) fn(message);
  }

  /** The last message of `type` the server sent (e.g. the slot map of `activeSpeakers`), or undefined. */
  last(type) {
    return this.#last.get(type);
  }

  on(type, fn) {
    this.#handlers.set(type, [...(this.#handlers.get(type) ?? []), fn]);
  }

  send(message) {
    this.#socket.send(JSON.stringify(message));
  }

  /** Sends `message` with a fresh requestId; resolves with the reply of type `reply`, rejects on `error`. */
  request(message, reply) {
    const requestId = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(new Error(`${this.name}: no ${reply} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(requestId, {
        reply,
        resolve: (m) => { clearTimeout(timer); resolve(m); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.send({ ...message, requestId });
    });
  }

  close() {
    this.#socket.close();
  }
}

/** The codec werift offers (it negotiates but never encodes): Opus only, as a browser would. */
function peerConnection() {
  return new RTCPeerConnection({
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: OPUS_CLOCK_HZ, channels: 2 })],
    },
    headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()] },
    ...(process.env.WERIFT_EXTRA_HOSTS ? { iceAdditionalHostAddresses: process.env.WERIFT_EXTRA_HOSTS.split(',') } : {}),
  });
}

function connected(pc, what, timeoutMs = 15_000) {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not connected within ${timeoutMs} ms (${pc.connectionState})`)), timeoutMs);
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') { clearTimeout(timer); resolve(); }
      if (state === 'failed') { clearTimeout(timer); reject(new Error(`${what}: connection failed`)); }
    });
  });
}

/** The id the answer gave `uri`, or null when the server did not take that extension. */
export function extensionId(sdp, uri) {
  const m = new RegExp(`^a=extmap:(\\d+)(?:/\\w+)? ${uri.replace(/[.]/g, '\\.')}\\s*$`, 'm').exec(sdp);
  return m ? Number(m[1]) : null;
}

/** 20 ms frames of a continuous sine at `hz`, Opus-encoded (mono, 48 kHz, VoIP). */
export class OpusTone {
  constructor(hz) {
    this.hz = hz;
    this.encoder = new OpusScript(OPUS_CLOCK_HZ, 1, OpusScript.Application.VOIP);
    this.pcm = new Int16Array(FRAME_SAMPLES);
    this.sample = 0;
    // RFC 6464 §3: the level is -dBov of the frame; a sine's RMS is amplitude/√2.
    this.levelDbov = Math.round(-20 * Math.log10(TONE_AMPLITUDE / Math.SQRT2));
  }

  next() {
    for (let i = 0; i < FRAME_SAMPLES; i++, this.sample++) {
      this.pcm[i] = Math.round(32767 * TONE_AMPLITUDE * Math.sin((2 * Math.PI * this.hz * this.sample) / OPUS_CLOCK_HZ));
    }
    return Buffer.from(this.encoder.encode(Buffer.from(this.pcm.buffer), FRAME_SAMPLES));
  }

  close() {
    this.encoder.delete();
  }
}

/** One werift participant: a signaling socket and up to one publish and one subscribe PeerConnection. */
export class WeriftPeer {
  constructor(name, signaling, joined) {
    Object.assign(this, { name, signaling, participantId: joined.participantId, roomId: joined.roomId });
    this.publisher = null;
    this.subscriber = null;
    this.answers = [];
  }

  /**
   * Joins through `<baseUrl>ws`. A `redirect` is followed once, as the web client does (join again at its url
   * with its ticket); the peer's `redirected` then holds it.
   */
  static async join({ baseUrl, roomId, name, token = null }) {
    const join = { type: 'join', roomId, displayName: name };
    if (token) join.token = token;
    let signaling = await Signaling.open(baseUrl, name);
    let joined = await signaling.request(join, 'joined');
    let redirected = null;
    if (joined.type === 'redirect') {
      redirected = joined;
      log(`${name}: redirected to ${joined.url}`);
      signaling.close();
      signaling = await Signaling.open(baseUrl, name, joined.url);
      joined = await signaling.request({ ...join, ticket: joined.ticket }, 'joined');
      if (joined.type !== 'joined') throw new Error(`${name}: ${joined.type} again after a redirect`);
    }
    log(`${name}: joined ${roomId} as ${joined.participantId}`);
    const peer = new WeriftPeer(name, signaling, joined);
    peer.redirected = redirected;
    return peer;
  }

  /** Publishes: offer, the server's answer, ICE + DTLS; then `startTone(hz)` sends. */
  async publish() {
    const pc = peerConnection();
    const track = new MediaStreamTrack({ kind: 'audio' });
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await this.signaling.request({ type: 'publishOffer', roomId: this.roomId, sdp: pc.localDescription.sdp }, 'publishAnswer');
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await connected(pc, `${this.name} publish`);
    this.publisher = { pc, track, transceiver, offer: pc.localDescription.sdp, answer: answer.sdp, written: 0, running: null };
    log(`${this.name}: publish connected, audio level extension ${extensionId(answer.sdp, AUDIO_LEVEL_URI) ?? 'not negotiated'}`);
    return this.publisher;
  }

  /**
   * Writes `seconds` of an Opus tone at `hz` at real-time pacing (each frame at t0 + k·20 ms, so
   * timer lateness does not accumulate), with the RFC 6464 audio level when the answer took it.
   */
  startTone(hz, seconds) {
    const pub = this.publisher;
    const levelId = extensionId(pub.answer, AUDIO_LEVEL_URI);
    const tone = new OpusTone(hz);
    const frames = Math.round((seconds * 1000) / FRAME_MS);
    pub.running = (async () => {
      const t0 = performance.now();
      for (let k = 0; k < frames && !pub.stopped; k++) {
        const wait = t0 + k * FRAME_MS - performance.now();
        if (wait > 0) await sleep(wait);
        const header = new RtpHeader({
          payloadType: 96, sequenceNumber: k & 0xffff, timestamp: (k * FRAME_SAMPLES) >>> 0, marker: k === 0,
          extensions: levelId ? [{ id: levelId, payload: Buffer.from([0x80 | tone.levelDbov]) }] : [],
        });
        pub.track.writeRtp(new RtpPacket(header, tone.next()));
        pub.written++;
      }
      tone.close();
    })();
    return pub.running;
  }

  /** What werift says it sent (its sender counts only packets it handed to SRTP). */
  publishStats() {
    const sender = this.publisher?.transceiver.sender;
    return { written: this.publisher?.written ?? 0, sent: sender?.packetCount ?? 0, ssrc: sender?.ssrc ?? null };
  }

  /**
   * Subscribes and answers every consumeOffer in order. Counts RTP per m-line (mid → publisher
   * participantId, from trackAdded and a=msid) and per SSRC, unique sequence numbers apart.
   */
  async subscribe() {
    const pc = peerConnection();
    const sub = { pc, tracks: new Map(), bySsrc: new Map(), offers: [], answers: [], errors: [] };
    this.subscriber = sub;
    this.signaling.on('trackAdded', (m) => sub.tracks.set(m.mid, { participantId: m.participantId, streamId: m.streamId }));
    let chain = Promise.resolve();
    this.signaling.on('consumeOffer', (m) => {
      chain = chain.then(() => this.#answer(sub, m.sdp)).catch((e) => sub.errors.push(e.message));
    });
    this.signaling.on('error', (m) => sub.errors.push(`${m.code}: ${m.message}`));
    // werift fires ontrack again for a track on a later negotiation: count each track once.
    const counted = new WeakSet();
    pc.ontrack = ({ track, transceiver }) => {
      if (counted.has(track)) return;
      counted.add(track);
      track.onReceiveRtp.subscribe((rtp) => {
        const ssrc = rtp.header.ssrc;
        let s = sub.bySsrc.get(ssrc);
        if (!s) sub.bySsrc.set(ssrc, (s = { ssrc, mid: transceiver.mid, packets: 0, seqs: new Set(), payloadTypes: {} }));
        s.packets++;
        s.seqs.add(rtp.header.sequenceNumber);
        s.payloadTypes[rtp.header.payloadType] = (s.payloadTypes[rtp.header.payloadType] ?? 0) + 1;
      });
    };
    await this.signaling.request({ type: 'subscribe', roomId: this.roomId }, 'consumeOffer');
    return sub;
  }

  async #answer(sub, offerSdp) {
    const { pc } = sub;
    sub.offers.push(offerSdp);
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await pc.setLocalDescription(await pc.createAnswer());
    sub.answers.push(pc.localDescription.sdp);
    this.signaling.send({ type: 'consumeAnswer', roomId: this.roomId, sdp: pc.localDescription.sdp });
  }

  /** Waits until the subscribe PeerConnection is connected. */
  subscribed(timeoutMs) {
    return connected(this.subscriber.pc, `${this.name} subscribe`, timeoutMs);
  }

  /**
   * Per received SSRC: its m-line, the publisher it belongs to (or, in a large room, its `streamId` `slot-<k>`),
   * packets and distinct sequence numbers.
   */
  subscribeStats() {
    return [...(this.subscriber?.bySsrc.values() ?? [])].map((s) => ({
      ssrc: s.ssrc, mid: s.mid, participantId: this.subscriber.tracks.get(s.mid)?.participantId ?? null,
      streamId: this.subscriber.tracks.get(s.mid)?.streamId ?? null,
      packets: s.packets, distinct: s.seqs.size, payloadTypes: s.payloadTypes,
    }));
  }

  async close() {
    if (this.publisher) this.publisher.stopped = true;
    await this.publisher?.running?.catch(() => {});
    await Promise.allSettled([this.publisher?.pc.close(), this.subscriber?.pc.close()]);
    this.signaling.close();
  }
}
