// The voice session, without any UI: signaling, publishing the microphone, receiving the others,
// audio levels, microphone devices and reconnecting (rules in docs/client.md). The page (app.js)
// renders it and window.cheenhub exposes it to tests and operators.
import { Signaling, SignalingError } from './signaling.js';
import { AUDIO_LAYERS, DEFAULT_AUDIO_PROCESSING, Publisher } from './publish.js';
import { Subscriber } from './subscribe.js';

const PING_INTERVAL_MS = 5000;
const PING_TIMEOUT_MS = 10_000;
const JOIN_TIMEOUT_MS = 10_000;
const JOIN_RETRIES = 3;
const LEAVE_TIMEOUT_MS = 2000;
const BACKOFF_BASE_MS = 250;
// 1 s (±30 %): after a server restart a client is back within ~1.3 s of the server being up; the jitter
// spreads a whole deployment's clients over that second.
const BACKOFF_CAP_MS = 1000;
const BACKOFF_JITTER = 0.3;
const DISCONNECTED_GRACE_MS = 3000;
const PC_RETRY_DELAY_MS = 500;
const LEVEL_INTERVAL_MS = 200;
const SPEAKING_LEVEL = 0.03;
const SPEAKING_HOLD_MS = 400;

/** Join errors that another attempt would only repeat: the client stops and says why. */
const FATAL_JOIN_CODES = new Set([
  'room-full', 'invalid-room-id', 'invalid-display-name', 'room-limit-reached', 'missing-field', 'invalid-field',
  'auth-required', 'auth-invalid', 'auth-expired', 'auth-forbidden', 'user-room-limit',
]);

/** The layer names, best first: what `setLayerPreference` takes as `maxLayer`. */
export const LAYER_NAMES = Object.freeze(AUDIO_LAYERS.map((l) => l.layer));

/** RFC 6455 close code 1012 (Service Restart): the server drained; reconnect after its delay. */
const SERVICE_RESTART_CLOSE = 1012;

/** Close codes after which the client does not come back by itself. */
const NO_RECONNECT_CLOSE = {
  1008: { code: 'rate-limited', message: 'The server disconnected this page for sending too many messages.' },
  4000: { code: 'replaced', message: 'This session was opened again somewhere else (another tab or device).' },
};

export class ClientError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function errorInfo(error) {
  return { code: error?.code ?? 'error', message: error?.message ?? String(error) };
}

/**
 * Events: `change` (anything in state() changed; cheap to coalesce), `tracks` (remote audio
 * appeared or went), `devices` (the microphone list changed), `playblocked` (the browser refused
 * to autoplay remote audio: the page must offer a click).
 */
export class VoiceClient extends EventTarget {
  #status = 'lobby';
  #roomId = null;
  #displayName = null;
  #participantId = null;
  #error = null;
  #muted = false;
  #reconnects = 0;
  #resumed = false;
  #audioProcessing = { ...DEFAULT_AUDIO_PROCESSING };
  #participants = new Map(); // others: participantId → {participantId, displayName, level, speakingUntil, quality, muted}
  /** The last `activeSpeakers` of a large room: slot k → participantId (null: empty), levels, dominant. */
  #speakers = { slots: [], dominant: null };
  #quality = { level: 'high', maxBitrateKbps: 64 }; // own microphone, as the server's last qualityUpdate set it
  #self = { level: 0, speakingUntil: 0 };
  #rtt = null;
  #iceServers = []; // TURN servers (with time-limited credentials) from the last `joined`
  #iceTransportPolicy;
  #layers; // publish audio layers (three transceivers) or one stream
  #sendLayers = null; // the server's last layersUpdate for our microphone: {h, m, l} → boolean
  #receiveLayers = new Map(); // participantId → the layer we receive from them (receiveLayers)
  #layerPreference = 'h'; // the best layer this listener wants (setLayerPreference); h = no cap

  #signaling = null;
  #token = null;
  #authToken = null; // the signed JWT the server may require (docs/security.md), sent on every join
  #leaving = false;
  #attempt = 0;
  #reconnectTimer = null;
  #redirect = null; // {url, ticket} of the cluster instance that holds the room, for the next connect
  #drainDelayMs = null; // the server's suggested reconnect delay from its last `reconnect` (drain)
  #lastClose = null; // {code, reason} of the last socket the server (or the network) closed under a session
  #pingTimer = null;
  #levelTimer = null;
  #publisher = null;
  #subscriber = null;
  #subscribeSeq = 0;
  #pcTimers = { publish: null, subscribe: null };
  #pcRetries = { publish: 0, subscribe: 0 }; // recreations since that PeerConnection was last connected
  #container;

  #devices = [];
  #deviceId = null; // chosen by the user from enumerateDevices; null = browser default
  #analyser = null;

  /** A stable handle for publisher/subscriber: always the connection of the moment. */
  #channel = {
    send: (message) => {
      if (!this.#signaling) throw new SignalingError('closed', 'Not connected to the server.');
      this.#signaling.send(message);
    },
    request: (message, options) =>
      this.#signaling
        ? this.#signaling.request(message, options)
        : Promise.reject(new SignalingError('closed', 'Not connected to the server.')),
  };

  /**
   * @param {HTMLElement} container where the remote <audio> elements live (must be in the DOM)
   * @param {{iceTransportPolicy?: 'all'|'relay', layers?: boolean, layerPreference?: 'h'|'m'|'l'}} [options]
   *   `relay` forces both PeerConnections through the TURN servers of `joined` (the self-test and the
   *   TURN tests use it); `layers` false publishes one stream without audio layers (as before issue
   *   15); `layerPreference` is the best layer to receive from the start (see setLayerPreference)
   */
  constructor(container, { iceTransportPolicy = 'all', layers = true, layerPreference = 'h' } = {}) {
    super();
    this.#container = container;
    this.#iceTransportPolicy = iceTransportPolicy;
    this.#layers = Boolean(layers);
    if (LAYER_NAMES.includes(layerPreference)) this.#layerPreference = layerPreference;
    navigator.mediaDevices?.addEventListener?.('devicechange', () => this.#refreshDevices());
  }

  // --- What the page and the hook read ---

  state() {
    const now = performance.now();
    const audio = this.remoteAudio();
    const withAudio = new Set(audio.map((a) => a.participantId));
    const slotted = audio.some((a) => a.slot != null);
    const slotOf = new Map(this.#speakers.slots.filter((s) => s.participantId).map((s) => [s.participantId, s]));
    return {
      status: this.#status,
      roomId: this.#roomId,
      participantId: this.#participantId,
      error: this.#error ? { ...this.#error } : null,
      publish: this.#publisher?.state ?? 'idle',
      subscribe: this.#subscriber?.state ?? 'idle',
      muted: this.#muted,
      reconnects: this.#reconnects,
      resumed: this.#resumed,
      lastClose: this.#lastClose ? { ...this.#lastClose } : null,
      quality: { ...this.#quality },
      layers: {
        enabled: this.#layers,
        sending: this.#sendLayers ? { ...this.#sendLayers } : null,
        preference: this.#layerPreference,
      },
      // A large room (docs/client.md): the receive tracks are speaker slots, `speakers` says who is in each.
      largeRoom: slotted,
      speakers: {
        slots: this.#speakers.slots.map((s) => ({ ...s })),
        dominant: this.#speakers.dominant,
        self: slotOf.get(this.#participantId)?.slot ?? null,
      },
      participants: [...this.#participants.values()].map((p) => ({
        participantId: p.participantId,
        displayName: p.displayName,
        speaking: now < p.speakingUntil,
        level: p.level,
        hasAudio: withAudio.has(p.participantId),
        quality: p.quality ?? 'high',
        muted: Boolean(p.muted),
        // In a large room: the slot this participant speaks in now (null: not a speaker) and whether dominant.
        slot: slotOf.get(p.participantId)?.slot ?? null,
        speakerLevel: slotOf.get(p.participantId)?.level ?? null,
        dominant: this.#speakers.dominant != null && this.#speakers.dominant === p.participantId,
        // With slots only a speaker's layer is received; a stale entry of a former speaker is not shown.
        receiveLayer: !slotted || slotOf.has(p.participantId) ? this.#receiveLayers.get(p.participantId) ?? null : null,
      })),
    };
  }

  /** Own microphone: level 0..1 and speaking, for the page. */
  self() {
    return {
      displayName: this.#displayName,
      level: this.#muted ? 0 : this.#self.level,
      speaking: !this.#muted && performance.now() < this.#self.speakingUntil,
    };
  }

  get rtt() {
    return this.#rtt;
  }

  get publisher() {
    return this.#publisher;
  }

  get publishError() {
    return this.#publisher?.state === 'failed' ? this.#publisher.error : null;
  }

  get devices() {
    return this.#devices;
  }

  /** The deviceId of the microphone being sent (from the track's settings), or the chosen one. */
  get currentDeviceId() {
    return this.#publisher?.track?.getSettings?.().deviceId ?? this.#deviceId ?? '';
  }

  /**
   * The tracks now playing. A speaker slot's `participantId` is whoever `activeSpeakers` put in it
   * (null while nobody speaks there), so readers see the speaker, not the slot.
   */
  remoteAudio() {
    return (this.#subscriber?.remoteAudio() ?? []).map((a) => this.#named(a));
  }

  #named(a) {
    const participantId = a.slot != null ? this.#speakers.slots.find((s) => s.slot === a.slot)?.participantId ?? null : a.participantId;
    return {
      participantId,
      displayName: this.#participants.get(participantId)?.displayName ?? null,
      slot: a.slot ?? null,
      mid: a.mid,
      streamId: a.streamId,
      track: a.track,
      stream: a.stream,
      element: a.element,
    };
  }

  /** The RTCConfiguration both PeerConnections get: the TURN servers of `joined` and the transport policy. */
  rtcConfiguration() {
    return { iceServers: this.#iceServers.map((s) => ({ ...s })), iceTransportPolicy: this.#iceTransportPolicy };
  }

  publishPeerConnection() {
    return this.#publisher?.pc ?? null;
  }

  subscribePeerConnection() {
    return this.#subscriber?.pc ?? null;
  }

  // --- Actions ---

  /** Joins a room; resolves on `joined`, rejects with a ClientError (state `failed`). */
  async join({ roomId, displayName, audioProcessing, token } = {}) {
    if (['connecting', 'joined', 'reconnecting'].includes(this.#status)) await this.leave();
    this.#leaving = false;
    this.#roomId = roomId;
    this.#displayName = displayName;
    this.#authToken = token || null;
    this.#audioProcessing = { ...DEFAULT_AUDIO_PROCESSING, ...(audioProcessing ?? {}) };
    this.#participantId = null;
    this.#token = null;
    this.#error = null;
    this.#reconnects = 0;
    this.#resumed = false;
    this.#participants.clear();
    this.#setStatus('connecting');

    // A socket that drops (or a server that does not answer) before `joined` is retried a few
    // times with the reconnect backoff; refusals and an unreachable server are reported at once.
    for (let attempt = 0; ; attempt++) {
      const signaling = new Signaling();
      const via = this.#takeRedirect();
      try {
        await signaling.connect(via?.url);
        if (this.#leaving) throw new ClientError('left', 'Left before the join completed.');
        this.#use(signaling);
        const message = { type: 'join', roomId, displayName };
        if (this.#authToken) message.token = this.#authToken;
        if (via?.ticket) message.ticket = via.ticket;
        const joined = await signaling.request(message, { timeoutMs: JOIN_TIMEOUT_MS });
        if (joined.type === 'redirect') throw this.#redirected(joined);
        if (this.#leaving) throw new ClientError('left', 'Left before the join completed.');
        this.#onJoined(joined, false);
        return;
      } catch (error) {
        if (this.#signaling === signaling) this.#signaling = null;
        signaling.close(1000, 'join failed');
        // `draining`: this server is going away; the next attempt may reach its successor.
        // `redirect`: the room lives on another instance of the cluster: go there at once.
        const redirect = error.code === 'redirect';
        const transient = redirect || error.code === 'closed' || error.code === 'timeout' || error.code === 'draining';
        if (transient && attempt < JOIN_RETRIES && this.#status === 'connecting' && !this.#leaving) {
          const delay = redirect ? 0 : Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_CAP_MS);
          await new Promise((resolve) => setTimeout(resolve, delay * (1 - BACKOFF_JITTER + Math.random() * 2 * BACKOFF_JITTER)));
          if (this.#status === 'connecting' && !this.#leaving) continue;
        }
        if (this.#status === 'connecting') this.#failWith(error);
        throw new ClientError(error.code ?? 'error', error.message);
      }
    }
  }

  /** Clean leave: `leave`, close both PeerConnections, close the socket with 1000. */
  async leave() {
    this.#leaving = true;
    clearTimeout(this.#reconnectTimer);
    const signaling = this.#signaling;
    this.#signaling = null;
    const wasIn = this.#status === 'joined';
    this.#stopSession();
    if (signaling?.open && wasIn) {
      try {
        await signaling.request({ type: 'leave', roomId: this.#roomId }, { timeoutMs: LEAVE_TIMEOUT_MS });
      } catch {
        // Closing the socket leaves the room too.
      }
    }
    signaling?.close(1000, 'leave');
    this.#participants.clear();
    this.#speakers = { slots: [], dominant: null };
    this.#setStatus('left');
  }

  /**
   * Mutes or unmutes the microphone: the senders stop (track.enabled: silence, no renegotiation) and
   * the server is told (`setMuted`), so the others see it and a large room drops us from the speaker
   * slots at once. Resolves once the server confirmed it (immediately when not in a room).
   */
  async setMuted(muted) {
    this.#muted = Boolean(muted);
    this.#publisher?.setMuted(this.#muted);
    this.#changed();
    if (this.#status === 'joined' && this.#signaling?.open) await this.#sendMuted();
  }

  #sendMuted() {
    return this.#channel.request({ type: 'setMuted', roomId: this.#roomId, muted: this.#muted });
  }

  /** Switches the microphone (an id from `devices`) with replaceTrack, without renegotiation. */
  async selectMicrophone(deviceId) {
    this.#deviceId = deviceId || null;
    if (this.#publisher && ['connecting', 'connected', 'disconnected'].includes(this.#publisher.state)) {
      await this.#publisher.switchMicrophone(deviceId || null);
      this.#watchLocalLevel();
    }
    this.#changed();
  }

  /**
   * The best audio layer this listener wants to receive from everyone: `h` (no cap), `m` or `l`
   * (`setLayerPreference`). Kept for the session and sent again after every join; resolves once the
   * server confirmed it (immediately when not in a room).
   */
  async setLayerPreference(maxLayer) {
    if (!LAYER_NAMES.includes(maxLayer)) throw new ClientError('invalid-field', `maxLayer must be one of ${LAYER_NAMES.join(', ')}`);
    this.#layerPreference = maxLayer;
    this.#changed();
    if (this.#status === 'joined' && this.#signaling?.open) await this.#sendLayerPreference();
  }

  #sendLayerPreference() {
    return this.#channel.request({ type: 'setLayerPreference', roomId: this.#roomId, maxLayer: this.#layerPreference });
  }

  /** Publishes again after a failure (the Retry button). */
  retryPublish() {
    if (this.#status === 'joined') this.#publish();
  }

  /** Test hook: drop the socket without `leave`, as a network outage would. */
  simulateSignalingLoss() {
    this.#signaling?.close(4001, 'simulated signaling loss');
  }

  // --- Session ---

  #use(signaling) {
    this.#signaling = signaling;
    const on = (type, handler) =>
      signaling.addEventListener(type, ({ detail }) => {
        if (this.#signaling === signaling) handler(detail);
      });
    on('participantJoined', (m) => {
      if (m.roomId && m.roomId !== this.#roomId) return;
      const p = m.participant;
      if (p.participantId === this.#participantId) return;
      this.#participants.set(p.participantId, { ...p, level: 0, speakingUntil: 0 });
      this.#changed();
    });
    on('participantMuted', (m) => {
      if (m.roomId && m.roomId !== this.#roomId) return;
      const p = this.#participants.get(m.participantId);
      if (p) p.muted = Boolean(m.muted);
      this.#changed();
    });
    on('activeSpeakers', (m) => {
      if (m.roomId && m.roomId !== this.#roomId) return;
      this.#speakers = {
        slots: (m.slots ?? []).map((s) => ({ slot: s.slot, participantId: s.participantId ?? null, level: s.level ?? 0 })),
        dominant: m.dominant ?? null,
      };
      this.dispatchEvent(new CustomEvent('speakers', { detail: this.#speakers }));
      this.#changed();
    });
    on('participantLeft', (m) => {
      if (m.roomId && m.roomId !== this.#roomId) return;
      this.#participants.delete(m.participantId);
      this.#changed();
    });
    on('qualityUpdate', (m) => {
      if (m.roomId && m.roomId !== this.#roomId) return;
      if (m.participantId === this.#participantId) {
        this.#quality = { level: m.level, maxBitrateKbps: m.maxBitrateKbps };
        this.#publisher?.setMaxBitrate(m.maxBitrateKbps);
      } else {
        const p = this.#participants.get(m.participantId);
        if (p) p.quality = m.level;
      }
      this.#changed();
    });
    on('layersUpdate', (m) => {
      if (m.roomId && m.roomId !== this.#roomId) return;
      this.#sendLayers = { ...m.layers };
      this.#publisher?.setActiveLayers(m.layers);
      this.#changed();
    });
    on('receiveLayers', (m) => {
      if (m.roomId && m.roomId !== this.#roomId) return;
      // All layered speakers this listener receives, each with its layer now.
      this.#receiveLayers = new Map(Object.entries(m.layers ?? {}));
      this.#changed();
    });
    on('trackAdded', (m) => this.#subscriber?.trackAdded(m));
    on('trackRemoved', (m) => this.#subscriber?.trackRemoved(m));
    on('consumeOffer', (m) => {
      if (m.roomId && m.roomId !== this.#roomId) return;
      this.#subscriber?.offer(m);
    });
    on('error', (m) => {
      const sub = this.#subscriber;
      if (sub && m.requestId && (m.requestId === sub.requestId || m.requestId.startsWith(`${sub.requestId}.`))) {
        if (m.code === 'no-offer') return; // an answer that crossed a newer offer; the server offers again
        sub.refused({ code: m.code, message: m.message });
        return;
      }
      console.warn('server error', m.code, m.message);
    });
    // The server is draining (restart, maintenance): its socket closes next with 1012; come back
    // after the delay it suggests, with jitter, and rejoin with the reconnect token.
    on('reconnect', (m) => {
      this.#drainDelayMs = Number.isFinite(m.delayMs) ? Math.max(0, m.delayMs) : BACKOFF_CAP_MS;
    });
    // The room moved to another instance of the cluster (drain, failover): rejoin there at once
    // with the ticket; this instance has already let the participant go.
    on('redirect', (m) => {
      if (m.roomId && m.roomId !== this.#roomId) return;
      this.#redirected(m);
      this.#drainDelayMs = 0;
      signaling.close(4004, 'room moved');
    });
    on('close', ({ code, reason }) => this.#onSocketClosed(code, reason));
  }

  /** Remembers where a `redirect` sends the next connect; the error that ends this attempt. */
  #redirected(message) {
    this.#redirect = { url: message.url, ticket: message.ticket };
    return new ClientError('redirect', 'The room is on another server of the cluster.');
  }

  /**
   * The redirect target for this connect, used once: if that instance cannot be reached, the next
   * attempt goes back to the server the page came from, which knows where the room lives now.
   */
  #takeRedirect() {
    const via = this.#redirect;
    this.#redirect = null;
    return via;
  }

  #onJoined(joined, rejoin) {
    this.#token = joined.reconnectToken ?? null;
    this.#iceServers = Array.isArray(joined.iceServers) ? joined.iceServers : [];
    this.#roomId = joined.roomId ?? this.#roomId;
    this.#resumed = Boolean(joined.resumed);
    const previous = this.#participants;
    this.#participants = new Map(
      (joined.participants ?? []).map((p) => [
        p.participantId,
        {
          ...p,
          level: previous.get(p.participantId)?.level ?? 0,
          speakingUntil: previous.get(p.participantId)?.speakingUntil ?? 0,
          quality: p.quality ?? undefined, // the server's level for publishers; high until one is known
          muted: Boolean(p.muted),
        },
      ]),
    );
    const keep = rejoin && joined.resumed && joined.participantId === this.#participantId;
    if (!keep) {
      this.#speakers = { slots: [], dominant: null }; // a new subscriber is told the slot map again
      this.#quality = { level: 'high', maxBitrateKbps: 64 }; // a new publisher starts high
      this.#sendLayers = null;
      this.#receiveLayers = new Map();
    }
    this.#participantId = joined.participantId;
    this.#setStatus('joined');
    this.#startTimers();
    if (keep) {
      // Resumed: keep what still works, recreate what does not.
      if (this.#publisher?.state !== 'connected') this.#publish();
      if (this.#subscriber?.state !== 'connected') this.#subscribe();
    } else {
      this.#publish();
      this.#subscribe();
    }
    // A new participant is not muted on the server; a resumed one keeps it, sending it again is harmless.
    if (this.#muted) this.#sendMuted().catch((error) => console.warn('setMuted refused', error.code, error.message));
    // A new participant has no cap on the server; a resumed one keeps it, sending it again is harmless.
    if (this.#layerPreference !== 'h') {
      this.#sendLayerPreference().catch((error) => console.warn('setLayerPreference refused', error.code, error.message));
    }
  }

  #publish() {
    clearTimeout(this.#pcTimers.publish);
    this.#publisher?.close();
    const publisher = new Publisher(this.#channel, this.#roomId, {
      audioProcessing: this.#audioProcessing,
      deviceId: this.#deviceId,
      muted: this.#muted,
      rtcConfiguration: this.rtcConfiguration(),
      layers: this.#layers,
    });
    if (this.#quality.level !== 'high') publisher.setMaxBitrate(this.#quality.maxBitrateKbps);
    this.#publisher = publisher;
    publisher.addEventListener('statechange', ({ detail }) => {
      if (this.#publisher !== publisher) return;
      this.#watchPeerConnection('publish', detail.state, detail.error);
      this.#changed();
    });
    publisher.addEventListener('trackchange', () => {
      if (this.#publisher !== publisher) return;
      this.#watchLocalLevel();
      this.#refreshDevices();
    });
    publisher.addEventListener('trackended', () => {
      // The microphone went away (unplugged): fall back to the default one.
      if (this.#publisher !== publisher) return;
      this.#deviceId = null;
      publisher.switchMicrophone(null).catch((error) => {
        this.#error = errorInfo(error);
        this.#changed();
      });
    });
    publisher.start().catch(() => {
      // Reported through statechange (state `failed`, with the error).
    });
    this.#changed();
  }

  #subscribe() {
    clearTimeout(this.#pcTimers.subscribe);
    this.#subscriber?.close();
    const subscriber = new Subscriber(this.#channel, this.#roomId, {
      container: this.#container,
      requestId: `sub${++this.#subscribeSeq}`,
      rtcConfiguration: this.rtcConfiguration(),
      onPlayBlocked: (element) => this.dispatchEvent(new CustomEvent('playblocked', { detail: { element } })),
    });
    this.#subscriber = subscriber;
    subscriber.addEventListener('statechange', ({ detail }) => {
      if (this.#subscriber !== subscriber) return;
      this.#watchPeerConnection('subscribe', detail.state, subscriber.error);
      this.#changed();
    });
    subscriber.addEventListener('trackschange', () => {
      if (this.#subscriber !== subscriber) return;
      this.dispatchEvent(new CustomEvent('tracks'));
      this.#changed();
    });
    try {
      subscriber.start();
    } catch (error) {
      console.warn('subscribe could not start', error);
    }
    this.#changed();
  }

  /**
   * A PeerConnection that fails, or stays disconnected for 3 s, while the socket is up is recreated
   * alone. While reconnecting nothing is done here: the rejoin recreates what is not connected.
   */
  #watchPeerConnection(which, state, error) {
    clearTimeout(this.#pcTimers[which]);
    if (state === 'connected') this.#pcRetries[which] = 0;
    const recreate = () => {
      this.#pcRetries[which] += 1;
      if (this.#status !== 'joined' || !this.#signaling?.open) return;
      if (which === 'publish') this.#publish();
      else this.#subscribe();
    };
    if (state === 'idle' || state === 'closed') return;
    if (state === 'disconnected') {
      this.#pcTimers[which] = setTimeout(() => {
        const current = which === 'publish' ? this.#publisher : this.#subscriber;
        if (current?.state === 'disconnected') recreate();
      }, DISCONNECTED_GRACE_MS);
    } else if (state === 'failed') {
      const code = error?.code ?? '';
      if (code === 'connection-failed' || code === 'offer-failed' || code === 'closed') {
        // 0.5 s, then doubling up to 8 s while it keeps failing before ever connecting.
        const delay = Math.min(PC_RETRY_DELAY_MS * 2 ** this.#pcRetries[which], 8000);
        this.#pcTimers[which] = setTimeout(recreate, delay);
      } else if (error) {
        // Microphone or server refusal: say so; the user can fix it and retry.
        this.#error = errorInfo(error);
      }
    }
  }

  #onSocketClosed(code, reason) {
    this.#signaling = null;
    clearInterval(this.#pingTimer);
    if (this.#leaving || this.#status !== 'joined') return;
    this.#lastClose = { code, reason };
    const fatal = NO_RECONNECT_CLOSE[code];
    if (fatal) {
      this.#stopSession();
      this.#error = { ...fatal, message: reason ? `${fatal.message} (${reason})` : fatal.message };
      this.#setStatus('failed');
      return;
    }
    this.#attempt = 0;
    if (code === SERVICE_RESTART_CLOSE && this.#drainDelayMs == null) this.#drainDelayMs = BACKOFF_CAP_MS;
    this.#setStatus('reconnecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect() {
    clearTimeout(this.#reconnectTimer);
    let base = Math.min(BACKOFF_BASE_MS * 2 ** this.#attempt, BACKOFF_CAP_MS);
    if (this.#drainDelayMs != null) {
      base = this.#drainDelayMs; // once: later attempts (server still down) use the backoff
      this.#drainDelayMs = null;
    }
    const delay = base * (1 - BACKOFF_JITTER + Math.random() * 2 * BACKOFF_JITTER);
    this.#attempt += 1;
    this.#reconnectTimer = setTimeout(() => this.#reconnect(), delay);
  }

  async #reconnect() {
    if (this.#leaving || this.#status !== 'reconnecting') return;
    const signaling = new Signaling();
    const via = this.#takeRedirect();
    try {
      await signaling.connect(via?.url);
      if (this.#leaving || this.#status !== 'reconnecting') {
        signaling.close(1000, 'not needed');
        return;
      }
      this.#use(signaling);
      const message = { type: 'join', roomId: this.#roomId, displayName: this.#displayName };
      if (this.#token) message.reconnectToken = this.#token;
      if (this.#authToken) message.token = this.#authToken;
      if (via?.ticket) message.ticket = via.ticket;
      const joined = await signaling.request(message, { timeoutMs: JOIN_TIMEOUT_MS });
      if (joined.type === 'redirect') throw this.#redirected(joined);
      if (this.#leaving || this.#status !== 'reconnecting') return;
      this.#attempt = 0;
      this.#reconnects += 1;
      this.#onJoined(joined, true);
    } catch (error) {
      if (this.#signaling === signaling) this.#signaling = null;
      signaling.close(4003, 'retry'); // not 1000: that would be a deliberate leave
      if (this.#leaving || this.#status !== 'reconnecting') return;
      if (FATAL_JOIN_CODES.has(error.code)) {
        this.#stopSession();
        this.#failWith(error);
        return;
      }
      if (error.code === 'redirect') this.#drainDelayMs = 0; // straight on to the room's instance
      this.#scheduleReconnect();
    }
  }

  #startTimers() {
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => this.#ping(), PING_INTERVAL_MS);
    this.#ping();
    if (!this.#levelTimer) this.#levelTimer = setInterval(() => this.#sampleLevels(), LEVEL_INTERVAL_MS);
  }

  async #ping() {
    const signaling = this.#signaling;
    if (!signaling?.open) return;
    try {
      const pong = await signaling.request({ type: 'ping', ts: Date.now() }, { timeoutMs: PING_TIMEOUT_MS });
      this.#rtt = Date.now() - pong.ts;
      this.#changed();
    } catch (error) {
      // No pong in time on an open socket: the path is dead even if the socket does not know yet.
      if (error.code === 'timeout' && this.#signaling === signaling) signaling.close(4002, 'ping timeout');
    }
  }

  #stopSession() {
    clearInterval(this.#pingTimer);
    clearInterval(this.#levelTimer);
    this.#levelTimer = null;
    clearTimeout(this.#pcTimers.publish);
    clearTimeout(this.#pcTimers.subscribe);
    this.#publisher?.close();
    this.#subscriber?.close();
    this.#publisher = null;
    this.#subscriber = null;
    this.#stopLocalLevel();
    this.#self = { level: 0, speakingUntil: 0 };
    this.#rtt = null;
    this.dispatchEvent(new CustomEvent('tracks'));
  }

  #failWith(error) {
    this.#error = errorInfo(error);
    this.#setStatus('failed');
  }

  #setStatus(status) {
    this.#status = status;
    this.#changed();
  }

  #changed() {
    this.dispatchEvent(new CustomEvent('change'));
  }

  // --- Levels ---

  async #sampleLevels() {
    const now = performance.now();
    let changed = false;
    const sub = this.#subscriber;
    if (sub?.pc) {
      try {
        const entries = sub.remoteAudio().map((e) => this.#named(e));
        const seen = new Set();
        (await sub.pc.getStats()).forEach((s) => {
          if (s.type !== 'inbound-rtp' || (s.kind ?? s.mediaType) !== 'audio') return;
          const entry =
            (s.mid != null && entries.find((e) => e.mid === s.mid)) ||
            entries.find((e) => e.track.id === s.trackIdentifier);
          if (!entry?.participantId) return;
          const p = this.#participants.get(entry.participantId);
          if (!p) return;
          seen.add(p);
          const level = Math.max(0, Math.min(1, s.audioLevel ?? 0));
          if (level >= SPEAKING_LEVEL) p.speakingUntil = now + SPEAKING_HOLD_MS;
          if (p.level !== level) changed = true;
          p.level = level;
        });
        for (const p of this.#participants.values()) {
          if (!seen.has(p) && p.level !== 0) {
            p.level = 0;
            changed = true;
          }
        }
      } catch {
        // Closed meanwhile.
      }
    }
    let level = null;
    const pc = this.#publisher?.pc;
    if (pc && !this.#analyser) {
      try {
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'media-source' && s.kind === 'audio' && typeof s.audioLevel === 'number') level = s.audioLevel;
        });
      } catch {
        // Closed meanwhile.
      }
      if (level === null && this.#publisher?.track) this.#watchLocalLevel(true);
    }
    if (this.#analyser) level = this.#analyser.read();
    if (level !== null) {
      if (level >= SPEAKING_LEVEL && !this.#muted) this.#self.speakingUntil = now + SPEAKING_HOLD_MS;
      if (this.#self.level !== level) changed = true;
      this.#self.level = level;
    }
    if (changed || this.#participants.size) this.#changed();
  }

  /**
   * The own level from WebAudio, for browsers without `media-source` audioLevel in getStats
   * (Firefox). Only started when needed; follows a replaced track.
   */
  #watchLocalLevel(start = false) {
    if (!this.#analyser && !start) return;
    const track = this.#publisher?.track;
    this.#stopLocalLevel();
    if (!track) return;
    try {
      const context = new AudioContext();
      const source = context.createMediaStreamSource(new MediaStream([track]));
      const analyser = context.createAnalyser();
      analyser.fftSize = 1024;
      source.connect(analyser);
      const buffer = new Float32Array(analyser.fftSize);
      context.resume().catch(() => {});
      this.#analyser = {
        read: () => {
          analyser.getFloatTimeDomainData(buffer);
          let peak = 0;
          for (const v of buffer) peak = Math.max(peak, Math.abs(v));
          return Math.min(1, peak);
        },
        close: () => context.close().catch(() => {}),
      };
    } catch (error) {
      console.warn('no local level meter', error);
      this.#analyser = { read: () => 0, close: () => {} };
    }
  }

  #stopLocalLevel() {
    this.#analyser?.close();
    this.#analyser = null;
  }

  // --- Devices ---

  async #refreshDevices() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      this.#devices = all
        .filter((d) => d.kind === 'audioinput' && d.deviceId)
        .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` }));
      if (this.#deviceId && !this.#devices.some((d) => d.deviceId === this.#deviceId)) this.#deviceId = null;
      this.dispatchEvent(new CustomEvent('devices'));
    } catch (error) {
      console.warn('enumerateDevices failed', error);
    }
  }
}
