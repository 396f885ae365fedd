// Receiving everyone else's audio: one recvonly RTCPeerConnection per room, offered by the
// server (`subscribe` → `trackAdded`… → `consumeOffer`; answered with `consumeAnswer`, trickled
// with `consumeIce`, docs/api-reference.md). Every remote track plays through its own unmuted,
// autoplaying <audio> element in the page: Chromium decodes a remote stream for WebAudio and
// getStats only while something plays it.
//
// In a large room the tracks are speaker slots (`streamId` `slot-<k>`, no `participantId`): each
// plays whoever `activeSpeakers` puts in slot k, on one continuous track, so the entry's
// `participantId` is null and its `slot` is k; the client names the speaker from the slot map.

import { iceMessage } from './signaling.js';

/** The slot number of a speaker-slot stream id (`slot-<k>`), else null. */
export function slotOf(streamId) {
  const m = /^slot-(\d+)$/.exec(streamId ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * States (`statechange`, `detail.state`): `idle` → `connecting` → `connected`, which may go
 * `disconnected` and back; `failed` and `closed` are final (the page makes a new Subscriber).
 *
 * Events: `trackschange` whenever remote audio appears or goes, `statechange`, `error`
 * (detail: {code, message}) when the server refused a subscribe or an answer.
 */
export class Subscriber extends EventTarget {
  #rtcConfiguration;
  #channel;
  #roomId;
  #container;
  #state = 'idle';
  #pc = null;
  #requestId;
  /** mid → {participantId, streamId, trackId, slot} from trackAdded */
  #announced = new Map();
  /** mid → remote audio entry (see remoteAudio()) */
  #playing = new Map();
  #offers = Promise.resolve();
  #answers = 0;
  #onPlayBlocked;

  /**
   * @param {{send(message: object): void}} channel the signaling connection (may change underneath on reconnect)
   * @param {string} roomId
   * @param {{container: HTMLElement, requestId: string, onPlayBlocked?: (el: HTMLAudioElement) => void}} options
   */
  constructor(channel, roomId, { container, requestId, onPlayBlocked = () => {}, rtcConfiguration = {} }) {
    super();
    this.#rtcConfiguration = rtcConfiguration;
    this.#channel = channel;
    this.#roomId = roomId;
    this.#container = container;
    this.#requestId = requestId;
    this.#onPlayBlocked = onPlayBlocked;
  }

  get state() {
    return this.#state;
  }

  get pc() {
    return this.#pc;
  }

  get requestId() {
    return this.#requestId;
  }

  /** The remote tracks now playing, one entry per track. */
  remoteAudio() {
    return [...this.#playing.values()];
  }

  /** Who a mid belongs to, from trackAdded (or from the stream id once the track arrived). */
  participantOf(mid) {
    return this.#announced.get(mid)?.participantId ?? this.#playing.get(mid)?.participantId ?? null;
  }

  /** Creates the PeerConnection and asks the server for the room's audio. */
  start() {
    if (this.#state !== 'idle') throw new Error(`Subscriber already ${this.#state}`);
    const pc = new RTCPeerConnection({ ...this.#rtcConfiguration, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.#pc = pc;
    pc.ontrack = (event) => this.#attach(event);
    pc.onicecandidate = (event) => this.#trickle(event.candidate);
    pc.onconnectionstatechange = () => this.#followConnection(pc.connectionState);
    this.#setState('connecting');
    this.#channel.send({ type: 'subscribe', requestId: this.#requestId, roomId: this.#roomId });
  }

  /** A `trackAdded` for this room. */
  trackAdded(message) {
    const slot = slotOf(message.streamId);
    this.#announced.set(message.mid, {
      participantId: slot == null ? message.participantId ?? message.streamId : null,
      streamId: message.streamId ?? message.participantId,
      trackId: message.trackId ?? null,
      slot,
    });
  }

  /** A `trackRemoved` for this room: stop playing it now (the next offer retires its m-line). */
  trackRemoved(message) {
    this.#announced.delete(message.mid);
    this.#detach(message.mid);
  }

  /** A `consumeOffer`: answered strictly one at a time, in order of arrival. */
  offer(message) {
    if (this.#state === 'closed' || this.#state === 'failed') return Promise.resolve();
    this.#offers = this.#offers.then(() => this.#answer(message.sdp)).catch((error) => {
      if (this.#state === 'closed') return;
      console.warn('subscribe: could not answer an offer', error);
      this.#fail({ code: 'offer-failed', message: `The browser could not use the server's audio offer: ${error.message}` });
    });
    return this.#offers;
  }

  /** An `error` the server sent about our subscribe or answer. */
  refused(error) {
    this.#fail(error);
  }

  close() {
    if (this.#state === 'closed') return;
    this.#teardown();
    this.#setState('closed');
  }

  async #answer(sdp) {
    const pc = this.#pc;
    if (!pc || pc.signalingState === 'closed') return;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    if (this.#pc !== pc) return;
    try {
      // A requestId of ours, so that a refusal (an `error` carrying it) can be told apart.
      this.#channel.send({
        type: 'consumeAnswer',
        requestId: `${this.#requestId}.${++this.#answers}`,
        roomId: this.#roomId,
        sdp: pc.localDescription.sdp,
      });
    } catch {
      // Signaling is down; after a resumed rejoin the server offers again.
    }
    this.#retireInactive();
  }

  /** Drops audio whose transceiver the last negotiation made inactive or stopped. */
  #retireInactive() {
    for (const transceiver of this.#pc?.getTransceivers() ?? []) {
      const dir = transceiver.currentDirection;
      if (transceiver.mid != null && (transceiver.stopped || dir === 'inactive' || dir === 'stopped')) {
        this.#detach(transceiver.mid);
      }
    }
  }

  #attach(event) {
    const { track, transceiver } = event;
    if (track.kind !== 'audio') return;
    const mid = transceiver?.mid ?? null;
    const announced = this.#announced.get(mid);
    const streamId = event.streams[0]?.id ?? announced?.streamId ?? null;
    const slot = announced?.slot ?? slotOf(streamId);
    const participantId = slot == null ? announced?.participantId ?? streamId : null;
    this.#detach(mid);
    // A stream of its own per track: a publisher who republishes gets a new m-line, and two
    // elements must never play the same track.
    const stream = new MediaStream([track]);
    const element = document.createElement('audio');
    element.autoplay = true;
    element.muted = false;
    element.dataset.participantId = participantId ?? '';
    element.dataset.mid = mid ?? '';
    if (slot != null) element.dataset.slot = String(slot);
    element.setAttribute('aria-hidden', 'true');
    element.srcObject = stream;
    this.#container.append(element);
    const entry = { participantId, slot, mid, streamId, track, stream, element };
    this.#playing.set(mid, entry);
    element.play().catch((error) => {
      if (error?.name === 'NotAllowedError') this.#onPlayBlocked(element);
    });
    track.addEventListener('ended', () => {
      if (this.#playing.get(mid)?.track === track) this.#detach(mid);
    });
    this.dispatchEvent(new CustomEvent('trackschange'));
  }

  #detach(mid) {
    const entry = this.#playing.get(mid);
    if (!entry) return;
    this.#playing.delete(mid);
    entry.element.pause();
    entry.element.srcObject = null;
    entry.element.remove();
    this.dispatchEvent(new CustomEvent('trackschange'));
  }

  #trickle(candidate) {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    if (candidate?.candidate === '') return; // per-generation end marker; the final null follows
    try {
      this.#channel.send(iceMessage('consumeIce', this.#roomId, candidate, this.#pc));
    } catch {
      // Signaling is down; the server learns our address from the ICE checks anyway.
    }
  }

  #followConnection(connectionState) {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    switch (connectionState) {
      case 'connected':
      case 'disconnected':
        this.#setState(connectionState);
        break;
      case 'failed':
        this.#fail({ code: 'connection-failed', message: 'The audio connection from the server failed (ICE or DTLS).' });
        break;
      default:
        break;
    }
  }

  #fail(error) {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    this.error = error;
    this.#teardown();
    this.#setState('failed');
    this.dispatchEvent(new CustomEvent('error', { detail: error }));
  }

  #teardown() {
    for (const mid of [...this.#playing.keys()]) this.#detach(mid);
    this.#announced.clear();
    this.#pc?.close();
    this.#pc = null;
  }

  #setState(state) {
    if (this.#state === state) return;
    this.#state = state;
    this.dispatchEvent(new CustomEvent('statechange', { detail: { state } }));
  }
}
