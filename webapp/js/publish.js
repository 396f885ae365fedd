// Publishing the microphone: one sendonly audio RTCPeerConnection to the server per room,
// negotiated with `publishOffer` / `publishAnswer` and trickled with `publishIce`
// (docs/api-reference.md). The server is the ICE-controlled, DTLS-passive side.
//
// With audio layers (issue 15, docs/quality.md) the microphone goes out three times, on three
// sendonly transceivers of cloned tracks capped at 64, 32 and 16 kbit/s: browsers send only the
// first encoding of an audio sender, so one transceiver cannot carry simulcast audio. The server
// says which layers someone needs (`layersUpdate`); the others are paused (`active: false`, and no
// track on their sender).

import { iceMessage } from './signaling.js';

/** The audio-processing switches a user may turn off (all on by default, as browsers do). */
export const DEFAULT_AUDIO_PROCESSING = Object.freeze({
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
});

/**
 * The audio layers, best first: one sendonly transceiver each, capped with `encodings[0].maxBitrate`
 * (bit/s). The names are those of `publishOffer.layers` and `layersUpdate`.
 */
export const AUDIO_LAYERS = Object.freeze([
  Object.freeze({ layer: 'h', maxBitrate: 64_000 }),
  Object.freeze({ layer: 'm', maxBitrate: 32_000 }),
  Object.freeze({ layer: 'l', maxBitrate: 16_000 }),
]);

/** Why publishing stopped: `code` is a server error code or one of the `microphone-*` / `connection-*` codes below. */
export class PublishError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** getUserMedia's DOMException names, as PublishError codes (Media Capture and Streams §10). */
function microphoneError(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new PublishError('microphone-denied', 'Microphone access was denied.');
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new PublishError('microphone-missing', 'No microphone was found.');
    case 'NotReadableError':
    case 'AbortError':
      return new PublishError('microphone-busy', 'The microphone could not be opened (in use or failing).');
    default:
      return new PublishError('microphone-error', `The microphone could not be started: ${error?.message ?? error}`);
  }
}

/**
 * Offers generic NACK for Opus (`a=rtcp-fb:<pt> nack`, RFC 4585), which browsers support for audio
 * but do not offer by themselves: libwebrtc then keeps its sent audio for 5 s and resends what the
 * server asks for, repairing uplink loss that RED alone cannot (docs/quality.md). Added to every
 * audio m-section that lacks it (one per layer). A browser that refuses the munged offer gets its
 * own back.
 */
export function withAudioNack(sdp) {
  return sdp
    .split(/(?=^m=)/m)
    .map((section) => {
      const opus = /^a=rtpmap:(\d+) opus\/48000\/2\r?$/im.exec(section)?.[1];
      if (!opus || new RegExp(`^a=rtcp-fb:${opus} nack\\r?$`, 'm').test(section)) return section;
      return section.replace(new RegExp(`^(a=rtpmap:${opus} opus/48000/2\\r?\\n)`, 'im'), `$1a=rtcp-fb:${opus} nack\r\n`);
    })
    .join('');
}

/**
 * Sends this browser's microphone to the server.
 *
 * States (the `statechange` event's `detail.state`): `idle` → `microphone` (asking for it) →
 * `connecting` → `connected`, which may go `disconnected` and back; `failed` (see `error`) and
 * `closed` are final.
 */
export class Publisher extends EventTarget {
  #signaling;
  #roomId;
  #audioProcessing;
  #state = 'idle';
  #error = null;
  #stream = null;
  #pc = null;
  #offerSent = false;
  #pendingCandidates = [];
  #deviceId = null;
  #muted = false;
  #maxBitrateKbps = null;
  #rtcConfiguration;
  #layered;
  /** What is sent: per AUDIO_LAYERS entry (or one entry without layers) its transceiver and track. */
  #senders = [];
  /** Which layers the server asked for (`layersUpdate`); a layered publisher starts with the best only. */
  #active = { h: true, m: false, l: false };
  /** setParameters calls, one at a time: a second one on a sender would carry a stale transactionId. */
  #encodings = Promise.resolve();

  /**
   * @param {import('./signaling.js').Signaling} signaling an open connection that has joined `roomId`
   * @param {string} roomId
   * @param {{audioProcessing?: Partial<typeof DEFAULT_AUDIO_PROCESSING>, deviceId?: string|null, muted?: boolean, layers?: boolean}} [options]
   *   `deviceId` must come from enumerateDevices (it is asked for as `ideal`, so a vanished device falls back);
   *   `rtcConfiguration` adds `iceServers` (TURN from `joined`) and `iceTransportPolicy`;
   *   `layers` false publishes one transceiver without layers (the behaviour before issue 15)
   */
  constructor(signaling, roomId, { audioProcessing = {}, deviceId = null, muted = false, rtcConfiguration = {}, layers = true } = {}) {
    super();
    this.#rtcConfiguration = rtcConfiguration;
    this.#signaling = signaling;
    this.#roomId = roomId;
    this.#audioProcessing = { ...DEFAULT_AUDIO_PROCESSING, ...audioProcessing };
    this.#deviceId = deviceId || null;
    this.#muted = muted;
    this.#layered = Boolean(layers);
  }

  /** Mutes by disabling the sending tracks (silence is sent; no renegotiation). */
  setMuted(muted) {
    this.#muted = Boolean(muted);
    for (const track of this.#tracks()) track.enabled = !this.#muted;
  }

  get muted() {
    return this.#muted;
  }

  /** Whether this publisher sends audio layers (three transceivers) rather than one stream. */
  get layered() {
    return this.#layered;
  }

  /**
   * Per sent transceiver: its `mid`, `layer` (h, m, l; null without layers), whether it is `active`
   * and its `maxBitrate` (bit/s) as last applied.
   */
  layers() {
    if (!this.#pc) return [];
    return this.#senders.map(({ layer, transceiver }) => {
      const encoding = transceiver.sender.getParameters().encodings?.[0];
      return {
        mid: transceiver.mid,
        layer,
        active: encoding ? encoding.active !== false && transceiver.sender.track != null : null,
        maxBitrate: encoding?.maxBitrate ?? null,
      };
    });
  }

  /**
   * Caps the senders' bitrate (the server's `qualityUpdate`: 64, 32 or 16 kbps, for this
   * publisher's own uplink) with RTCRtpSender.setParameters: each layer at the lower of its own cap
   * and this one. Kept and applied again once the connection is up.
   */
  async setMaxBitrate(kbps) {
    this.#maxBitrateKbps = kbps;
    await this.#applyEncodings();
  }

  /**
   * Sends and pauses layers as the server asks (`layersUpdate`: {h, m, l} → boolean), with
   * `encodings[0].active`; a layer the message does not name keeps its state.
   */
  async setActiveLayers(layers) {
    for (const { layer } of AUDIO_LAYERS) {
      if (typeof layers?.[layer] === 'boolean') this.#active[layer] = layers[layer];
    }
    await this.#applyEncodings();
  }

  /** The encoding each sender should have now: its cap and whether it is sent. */
  #wanted({ layer, maxBitrate }) {
    const level = this.#maxBitrateKbps ? this.#maxBitrateKbps * 1000 : null;
    const caps = [maxBitrate, level].filter((v) => v);
    return {
      maxBitrate: caps.length ? Math.min(...caps) : null,
      active: layer ? this.#active[layer] : true,
    };
  }

  /**
   * Brings every sender to what #wanted says. A paused layer gets `active: false` and also loses its
   * track (replaceTrack(null), no renegotiation): Firefox ESR 153 ignores `active` on audio senders
   * and keeps sending, but sends nothing without a track. Resuming gives the track back first.
   */
  #applyEncodings() {
    const pc = this.#pc;
    this.#encodings = this.#encodings.then(async () => {
      for (const sender of this.#senders) {
        if (!pc || this.#pc !== pc || pc.signalingState === 'closed') return;
        const rtp = sender.transceiver.sender;
        const want = this.#wanted(sender);
        try {
          if (want.active && rtp.track !== sender.track) await rtp.replaceTrack(sender.track);
          const params = rtp.getParameters();
          const encoding = params.encodings?.[0];
          // Without encodings (not negotiated yet) the parameters are applied on `connected`.
          if (encoding && ((encoding.active !== false) !== want.active || (want.maxBitrate != null && encoding.maxBitrate !== want.maxBitrate))) {
            encoding.active = want.active;
            if (want.maxBitrate != null) encoding.maxBitrate = want.maxBitrate;
            await rtp.setParameters(params);
          }
          if (!want.active && rtp.track) await rtp.replaceTrack(null);
        } catch (error) {
          console.warn(`sender parameters (layer ${sender.layer ?? '-'}) not applied`, error);
        }
      }
    });
    return this.#encodings;
  }

  /** @returns {RTCRtpSender|null} the audio sender (with layers: the best layer's) */
  get sender() {
    return this.#senders[0]?.transceiver.sender ?? null;
  }

  /** The microphone track and, with layers, its clones: every track this publisher sends. */
  #tracks() {
    const tracks = this.#senders.map((s) => s.track);
    return tracks.length ? tracks : this.#stream?.getAudioTracks() ?? [];
  }

  /**
   * Switches to another microphone (an id from enumerateDevices) with replaceTrack: no renegotiation.
   * Rejects with a PublishError when that device cannot be opened; the old one stays in use.
   */
  async switchMicrophone(deviceId) {
    if (this.#state === 'closed' || this.#state === 'failed' || !this.#stream) {
      throw new PublishError('not-publishing', 'The microphone is not being sent.');
    }
    let stream;
    try {
      const audio = { ...this.#audioProcessing };
      if (deviceId) audio.deviceId = { exact: deviceId };
      stream = await navigator.mediaDevices.getUserMedia({ audio, video: false });
    } catch (error) {
      throw microphoneError(error);
    }
    if (this.#state === 'closed' || this.#state === 'failed') {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    const track = stream.getAudioTracks()[0];
    const oldTracks = this.#tracks();
    // Each layer gets its own copy of the new microphone, as at the start.
    const tracks = this.#senders.map((_, i) => (i === 0 ? track : track.clone()));
    for (const t of [track, ...tracks]) t.enabled = !this.#muted;
    // In line with #applyEncodings, which also replaces tracks. A paused layer has no track on its
    // sender: it gets the new one when it resumes.
    const replaced = this.#encodings.then(async () => {
      await Promise.all(this.#senders.map((s, i) => (s.transceiver.sender.track ? s.transceiver.sender.replaceTrack(tracks[i]) : null)));
      this.#senders.forEach((s, i) => {
        s.track = tracks[i];
      });
    });
    this.#encodings = replaced.catch(() => {});
    await replaced;
    const old = this.#stream;
    this.#stream = stream;
    this.#deviceId = deviceId || null;
    this.#watchTrack(track);
    old.getTracks().forEach((t) => t.stop());
    oldTracks.forEach((t) => t.stop());
    this.dispatchEvent(new CustomEvent('trackchange', { detail: { track } }));
  }

  #watchTrack(track) {
    track.addEventListener('ended', () => {
      // Unplugged or revoked: tell the page, which may switch to another device.
      if (this.track === track && this.#state !== 'closed') {
        this.dispatchEvent(new CustomEvent('trackended', { detail: { track } }));
      }
    });
  }

  get state() {
    return this.#state;
  }

  /** @returns {PublishError|null} why the state is `failed` */
  get error() {
    return this.#error;
  }

  /** @returns {RTCPeerConnection|null} for getStats() and diagnostics */
  get pc() {
    return this.#pc;
  }

  /** @returns {MediaStreamTrack|null} the microphone track being sent */
  get track() {
    return this.#stream?.getAudioTracks()[0] ?? null;
  }

  /**
   * Opens the microphone and negotiates the connection. Resolves once the server's answer is
   * applied (ICE and DTLS then finish on their own: watch `statechange`); rejects with a
   * PublishError, and the state becomes `failed`.
   */
  async start() {
    if (this.#state !== 'idle') throw new Error(`Publisher already ${this.#state}`);
    try {
      this.#setState('microphone');
      this.#stream = await this.#openMicrophone();
      if (this.#state === 'closed') return this.#releaseMicrophone();
      this.track.enabled = !this.#muted;
      this.#watchTrack(this.track);
      this.dispatchEvent(new CustomEvent('trackchange', { detail: { track: this.track } }));
      this.#setState('connecting');
      await this.#negotiate();
    } catch (error) {
      if (this.#state === 'closed') return; // closed while starting: nothing to report
      this.#fail(error instanceof PublishError ? error : new PublishError(error.code ?? 'publish-failed', error.message));
      throw this.#error;
    }
  }

  /** Stops sending and releases the microphone. Safe to call in any state. */
  close() {
    if (this.#state === 'closed') return;
    this.#teardown();
    this.#setState('closed');
  }

  async #openMicrophone() {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new PublishError('microphone-unsupported', 'This page cannot use a microphone here (it needs https or localhost).');
    }
    try {
      const audio = { ...this.#audioProcessing };
      if (this.#deviceId) audio.deviceId = { ideal: this.#deviceId };
      return await navigator.mediaDevices.getUserMedia({ audio, video: false });
    } catch (error) {
      throw microphoneError(error);
    }
  }

  async #negotiate() {
    // max-bundle + rtcp-mux: one 5-tuple for everything, which is all the server accepts.
    const pc = new RTCPeerConnection({ ...this.#rtcConfiguration, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.#pc = pc;
    // One msid stream for all layers (one participant); each layer its own clone of the microphone,
    // since a track is sent by one sender only. The first layer starts active, the others wait for
    // the server's layersUpdate (a new publisher is asked for its best layer only).
    const layers = this.#layered ? AUDIO_LAYERS : [{ layer: null, maxBitrate: null }];
    this.#senders = layers.map(({ layer, maxBitrate }, i) => {
      const track = i === 0 ? this.track : this.track.clone();
      track.enabled = !this.#muted;
      const wanted = this.#wanted({ layer, maxBitrate });
      const encoding = { active: wanted.active };
      if (wanted.maxBitrate != null) encoding.maxBitrate = wanted.maxBitrate;
      const init = { direction: 'sendonly', streams: [this.#stream] };
      if (layer) init.sendEncodings = [encoding];
      return { layer, maxBitrate, track, transceiver: pc.addTransceiver(track, init) };
    });
    pc.onicecandidate = (event) => this.#trickle(event.candidate);
    pc.onconnectionstatechange = () => this.#followConnection(pc.connectionState);
    // Paused layers lose their track before anything is sent (see #applyEncodings).
    await this.#applyEncodings();
    if (this.#pc !== pc) return; // closed meanwhile

    const offer = await pc.createOffer();
    try {
      await pc.setLocalDescription({ type: 'offer', sdp: withAudioNack(offer.sdp) });
    } catch (error) {
      console.warn('offer with audio NACK refused, sending it without', error);
      await pc.setLocalDescription(offer);
    }
    // Send the offer at once, without waiting for gathering; candidates follow as publishIce.
    const message = { type: 'publishOffer', roomId: this.#roomId, sdp: pc.localDescription.sdp };
    // The mids exist once the offer is applied: name which m-line is which layer.
    if (this.#layered) message.layers = this.#senders.map((s) => ({ mid: s.transceiver.mid, layer: s.layer }));
    const reply = this.#signaling.request(message);
    this.#offerSent = true;
    this.#pendingCandidates.splice(0).forEach((c) => this.#trickle(c));
    const answer = await reply;
    if (this.#pc !== pc) return; // closed meanwhile
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    this.#applyEncodings();
  }

  /** RFC 8838 trickle: a `null` candidate (gathering complete) is sent as the empty end-of-candidates string. */
  #trickle(candidate) {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    if (!this.#offerSent) {
      this.#pendingCandidates.push(candidate);
      return;
    }
    if (candidate?.candidate === '') return; // per-generation end marker; the final null follows
    try {
      this.#signaling.send(iceMessage('publishIce', this.#roomId, candidate, this.#pc));
    } catch {
      // The socket is closing; the page's close handler reports it.
    }
  }

  #followConnection(connectionState) {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    switch (connectionState) {
      case 'connected':
        this.#applyEncodings();
        this.#setState(connectionState);
        break;
      case 'disconnected':
        this.#setState(connectionState);
        break;
      case 'failed':
        this.#fail(new PublishError('connection-failed', 'The audio connection to the server failed (ICE or DTLS).'));
        break;
      default:
        break; // new, connecting: still `connecting`
    }
  }

  #fail(error) {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    this.#error = error;
    this.#teardown();
    this.#setState('failed');
  }

  #teardown() {
    this.#pc?.close();
    this.#pc = null;
    this.#releaseMicrophone();
  }

  #releaseMicrophone() {
    this.#stream?.getTracks().forEach((t) => t.stop());
    this.#senders.forEach((s) => s.track.stop());
  }

  #setState(state) {
    if (this.#state === state) return;
    this.#state = state;
    this.dispatchEvent(new CustomEvent('statechange', { detail: { state, error: this.#error } }));
  }
}
