// Publishing the microphone: one sendonly audio RTCPeerConnection to the server per room,
// negotiated with `publishOffer` / `publishAnswer` and trickled with `publishIce`
// (docs/api-reference.md). The server is the ICE-controlled, DTLS-passive side.

import { iceMessage } from './signaling.js';

/** The audio-processing switches a user may turn off (all on by default, as browsers do). */
export const DEFAULT_AUDIO_PROCESSING = Object.freeze({
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
});

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
 * server asks for, repairing uplink loss that RED alone cannot (docs/quality.md). A browser that
 * refuses the munged offer gets its own back.
 */
export function withAudioNack(sdp) {
  const opus = /^a=rtpmap:(\d+) opus\/48000\/2\r?$/im.exec(sdp)?.[1];
  if (!opus || new RegExp(`^a=rtcp-fb:${opus} nack\\r?$`, 'm').test(sdp)) return sdp;
  return sdp.replace(new RegExp(`^(a=rtpmap:${opus} opus/48000/2\\r?\\n)`, 'im'), `$1a=rtcp-fb:${opus} nack\r\n`);
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

  /**
   * @param {import('./signaling.js').Signaling} signaling an open connection that has joined `roomId`
   * @param {string} roomId
   * @param {{audioProcessing?: Partial<typeof DEFAULT_AUDIO_PROCESSING>, deviceId?: string|null, muted?: boolean}} [options]
   *   `deviceId` must come from enumerateDevices (it is asked for as `ideal`, so a vanished device falls back);
   *   `rtcConfiguration` adds `iceServers` (TURN from `joined`) and `iceTransportPolicy`
   */
  constructor(signaling, roomId, { audioProcessing = {}, deviceId = null, muted = false, rtcConfiguration = {} } = {}) {
    super();
    this.#rtcConfiguration = rtcConfiguration;
    this.#signaling = signaling;
    this.#roomId = roomId;
    this.#audioProcessing = { ...DEFAULT_AUDIO_PROCESSING, ...audioProcessing };
    this.#deviceId = deviceId || null;
    this.#muted = muted;
  }

  /** Mutes by disabling the sending track (silence is sent; no renegotiation). */
  setMuted(muted) {
    this.#muted = Boolean(muted);
    const track = this.track;
    if (track) track.enabled = !this.#muted;
  }

  get muted() {
    return this.#muted;
  }

  /**
   * Caps the sender's bitrate (the server's `qualityUpdate`: 64, 32 or 16 kbps) with
   * RTCRtpSender.setParameters; kept and applied again once the connection is up.
   */
  async setMaxBitrate(kbps) {
    this.#maxBitrateKbps = kbps;
    await this.#applyMaxBitrate();
  }

  async #applyMaxBitrate() {
    const sender = this.sender;
    if (!sender || !this.#maxBitrateKbps) return;
    const params = sender.getParameters();
    if (!params.encodings?.length) return; // not negotiated yet: applied on `connected`
    const bps = this.#maxBitrateKbps * 1000;
    if (params.encodings[0].maxBitrate === bps) return;
    params.encodings[0].maxBitrate = bps;
    try {
      await sender.setParameters(params);
    } catch (error) {
      console.warn('setParameters(maxBitrate) failed', error);
    }
  }

  /** @returns {RTCRtpSender|null} the audio sender */
  get sender() {
    return this.#pc?.getTransceivers()[0]?.sender ?? null;
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
    track.enabled = !this.#muted;
    const sender = this.#pc?.getTransceivers()[0]?.sender;
    if (sender) await sender.replaceTrack(track);
    const old = this.#stream;
    this.#stream = stream;
    this.#deviceId = deviceId || null;
    this.#watchTrack(track);
    old.getTracks().forEach((t) => t.stop());
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
    pc.addTransceiver(this.track, { direction: 'sendonly', streams: [this.#stream] });
    pc.onicecandidate = (event) => this.#trickle(event.candidate);
    pc.onconnectionstatechange = () => this.#followConnection(pc.connectionState);

    const offer = await pc.createOffer();
    try {
      await pc.setLocalDescription({ type: 'offer', sdp: withAudioNack(offer.sdp) });
    } catch (error) {
      console.warn('offer with audio NACK refused, sending it without', error);
      await pc.setLocalDescription(offer);
    }
    // Send the offer at once, without waiting for gathering; candidates follow as publishIce.
    const reply = this.#signaling.request({ type: 'publishOffer', roomId: this.#roomId, sdp: pc.localDescription.sdp });
    this.#offerSent = true;
    this.#pendingCandidates.splice(0).forEach((c) => this.#trickle(c));
    const answer = await reply;
    if (this.#pc !== pc) return; // closed meanwhile
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
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
        this.#applyMaxBitrate();
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
  }

  #setState(state) {
    if (this.#state === state) return;
    this.#state = state;
    this.dispatchEvent(new CustomEvent('statechange', { detail: { state, error: this.#error } }));
  }
}
