// Functions that run inside the page for the audio-layer E2E (../layers.mjs), serialized by
// playwright: each must be self-contained. They add to lib/voice-page.mjs (tones, FFT, getStats per
// remote track) what layers need: which server address a page may reach, when the server asked a
// publisher for a layer and when that layer's first packet left, byte counters of both
// PeerConnections, and the level of a remote tone in back-to-back 100 ms windows.

/**
 * Init script: keeps only the server's ICE candidates on `port` in every remote description, so the
 * page reaches the server by that address alone (the direct media port, or the impairment relay in
 * front of it). The server advertises both; the server side needs nothing, it answers any address
 * that passes its ICE checks.
 */
export function pinServerPort(port) {
  const keep = (line) => !line.startsWith('a=candidate:') || line.split(' ')[5] === String(port);
  const native = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function setRemoteDescription(description, ...rest) {
    if (description?.sdp) {
      description = { type: description.type, sdp: description.sdp.split('\r\n').filter(keep).join('\r\n') };
    }
    return native.call(this, description, ...rest);
  };
}

/**
 * Init script: window.__layers. It notes every `layersUpdate` the page receives (the moment the
 * message event fires, before the client handles it) and, once `watch()` runs, polls the publish
 * PeerConnection every 50 ms: for each layer the server turned on, the time until that layer's
 * sender had sent a packet (outbound-rtp packetsSent grew), and the inbound layer changes.
 */
export function installLayerMonitor() {
  const updates = [];
  const messages = []; // receiveLayers and layerPreference, with when they came
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        try {
          const m = JSON.parse(event.data);
          if (m.type === 'layersUpdate') updates.push({ at: Date.now(), layers: m.layers });
          if (m.type === 'receiveLayers' || m.type === 'layerPreference') messages.push({ at: Date.now(), ...m });
        } catch {
          // Not ours to judge.
        }
      });
    }
  };
  const POLL_MS = 50;
  const starts = []; // {layer, askedAt, startedAt}
  const pending = new Map(); // layer -> {askedAt, packetsAtAsk}: asked for, not started yet
  let watching = false;

  window.__layers = {
    updates,
    messages,
    starts,
    /** Polls until unwatch(): each layer turned on by a layersUpdate, and when its packets began. */
    watch() {
      if (watching) return;
      watching = true;
      let seenUpdates = 0;
      const on = { h: true, m: false, l: false }; // a new publisher sends h only
      (async () => {
        while (watching) {
          const pc = window.cheenhub?.publishPeerConnection?.();
          const mids = new Map((window.cheenhub?.publishLayers?.() ?? []).map((l) => [l.mid, l.layer]));
          const packets = {};
          if (pc) {
            try {
              (await pc.getStats()).forEach((s) => {
                if (s.type === 'outbound-rtp' && s.kind === 'audio' && mids.has(s.mid)) packets[mids.get(s.mid)] = s.packetsSent ?? 0;
              });
            } catch {
              // Closed meanwhile.
            }
          }
          for (; seenUpdates < updates.length; seenUpdates++) {
            const u = updates[seenUpdates];
            for (const [layer, active] of Object.entries(u.layers)) {
              if (active && !on[layer]) pending.set(layer, { askedAt: u.at, packetsAtAsk: null });
              if (!active) pending.delete(layer);
              on[layer] = active;
            }
          }
          for (const [layer, p] of pending) {
            if (packets[layer] == null) continue;
            if (p.packetsAtAsk == null) {
              p.packetsAtAsk = packets[layer];
            } else if (packets[layer] > p.packetsAtAsk) {
              starts.push({ layer, askedAt: p.askedAt, startedAt: Date.now(), delayMs: Date.now() - p.askedAt });
              pending.delete(layer);
            }
          }
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      })();
    },
    unwatch() {
      watching = false;
    },
    /** Layers asked for that have not started yet, with how long ago they were asked. */
    pending() {
      return [...pending].map(([layer, p]) => ({ layer, askedAt: p.askedAt, waitingMs: Date.now() - p.askedAt }));
    },

    /**
     * Samples the subscribe PC's inbound-rtp of `participantIds` every 100 ms until stopRecording():
     * per sample the time and, per speaker, the cumulative bytes, packets, concealed and total samples.
     */
    record(participantIds) {
      const samples = [];
      let recording = true;
      const byPid = () => new Map(window.cheenhub.remoteAudio().map((e) => [e.mid, e.participantId]));
      (async () => {
        while (recording) {
          const pc = window.cheenhub.subscribePeerConnection();
          const mids = byPid();
          const sample = { at: Date.now() };
          try {
            (await pc.getStats()).forEach((s) => {
              const id = mids.get(s.mid);
              if (s.type !== 'inbound-rtp' || !participantIds.includes(id)) return;
              sample[id] = [s.bytesReceived ?? 0, s.packetsReceived ?? 0, s.concealedSamples ?? 0, s.totalSamplesReceived ?? 0];
            });
          } catch {
            // Closed meanwhile.
          }
          samples.push(sample);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      window.__layers.stopRecording = () => {
        recording = false;
        return samples;
      };
    },

    /**
     * Byte counters now: the publish PC's outbound-rtp per layer (payload bytesSent, headerBytesSent,
     * packetsSent) and the subscribe PC's inbound-rtp per speaker (bytesReceived, headerBytesReceived,
     * packetsReceived, concealedSamples, totalSamplesReceived).
     */
    async counters() {
      const hook = window.cheenhub;
      const outbound = {};
      const inbound = {};
      const pub = hook.publishPeerConnection();
      const mids = new Map((hook.publishLayers?.() ?? []).map((l) => [l.mid, l.layer ?? 'single']));
      if (pub) {
        (await pub.getStats()).forEach((s) => {
          if (s.type !== 'outbound-rtp' || s.kind !== 'audio') return;
          outbound[mids.get(s.mid) ?? s.mid] = {
            bytesSent: s.bytesSent ?? 0, headerBytesSent: s.headerBytesSent ?? 0, packetsSent: s.packetsSent ?? 0,
            targetBitrate: s.targetBitrate ?? null, active: s.active ?? null,
          };
        });
      }
      const sub = hook.subscribePeerConnection();
      const byMid = new Map(hook.remoteAudio().map((e) => [e.mid, e.participantId]));
      if (sub) {
        (await sub.getStats()).forEach((s) => {
          if (s.type !== 'inbound-rtp' || s.kind !== 'audio' || !byMid.has(s.mid)) return;
          inbound[byMid.get(s.mid)] = {
            bytesReceived: s.bytesReceived ?? 0, headerBytesReceived: s.headerBytesReceived ?? 0,
            packetsReceived: s.packetsReceived ?? 0, packetsLost: s.packetsLost ?? 0,
            concealedSamples: s.concealedSamples ?? 0, totalSamplesReceived: s.totalSamplesReceived ?? 0,
          };
        });
      }
      return { at: Date.now(), outbound, inbound };
    },
  };
}

/**
 * Starts measuring, for each {participantId, hz} of `tracks`, the tone `hz` on that participant's
 * remote track in back-to-back windows of 100 ms (an AudioWorklet running the Goertzel algorithm at
 * `hz` on every sample, so no window is skipped however busy the page is). All tracks start in the
 * same render quantum, so window i of one track covers the same samples as window i of another.
 * Resolves once running; stopToneWindows() returns the windows (the tone's amplitude in dBFS).
 */
export async function startToneWindows(tracks) {
  const entries = tracks.map(({ participantId, hz }) => {
    const entry = window.cheenhub.remoteAudio().find((e) => e.participantId === participantId && e.track.readyState === 'live');
    if (!entry) throw new Error(`no live track of ${participantId}`);
    return { participantId, hz, entry };
  });
  window.__toneContext ??= new AudioContext();
  const ctx = window.__toneContext;
  if (ctx.state !== 'running') await ctx.resume();
  if (!window.__toneWorklet) {
    const code = `
      // Per 100 ms window: the tone's level, the power mean of five 20 ms Goertzel blocks (a drop-out
      // lowers it, a jump of the tone's phase does not), and the coherent Goertzel over the whole
      // window, which a phase jump inside the window also lowers.
      class Goertzel extends AudioWorkletProcessor {
        constructor(options) {
          super();
          const { hz, windowSamples } = options.processorOptions;
          this.coeff = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
          this.n = windowSamples;
          this.block = windowSamples / 5;
          this.i = 0; this.s1 = 0; this.s2 = 0; // the window
          this.b1 = 0; this.b2 = 0; this.blockPower = 0; // the current block, and the blocks' sum
          this.zeros = new Float32Array(128);
        }
        amplitude(s1, s2, n) {
          const power = s1 * s1 + s2 * s2 - this.coeff * s1 * s2;
          return (2 * Math.sqrt(Math.max(power, 0))) / n;
        }
        process(inputs) {
          // No input yet (or any more) counts as silence, so the windows keep real time.
          const samples = inputs[0]?.[0] ?? this.zeros;
          for (let k = 0; k < samples.length; k++) {
            const x = samples[k];
            const s0 = x + this.coeff * this.s1 - this.s2;
            this.s2 = this.s1;
            this.s1 = s0;
            const b0 = x + this.coeff * this.b1 - this.b2;
            this.b2 = this.b1;
            this.b1 = b0;
            this.i++;
            if (this.i % this.block === 0) {
              this.blockPower += this.amplitude(this.b1, this.b2, this.block) ** 2;
              this.b1 = 0; this.b2 = 0;
            }
            if (this.i === this.n) {
              const level = Math.sqrt(this.blockPower / 5);
              const coherent = this.amplitude(this.s1, this.s2, this.n);
              this.port.postMessage([20 * Math.log10(level + 1e-9), 20 * Math.log10(coherent + 1e-9)]);
              this.i = 0; this.s1 = 0; this.s2 = 0; this.blockPower = 0;
            }
          }
          return true;
        }
      }
      registerProcessor('goertzel', Goertzel);`;
    window.__toneWorklet = ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([code], { type: 'application/javascript' })));
  }
  await window.__toneWorklet;
  // The nodes must reach the destination to be pulled; a zero gain keeps them silent.
  const mute = ctx.createGain();
  mute.gain.value = 0;
  mute.connect(ctx.destination);
  window.__toneWindows ??= {};
  // One synchronous block: every node starts in the same render quantum.
  for (const { participantId, hz, entry } of entries) {
    const source = ctx.createMediaStreamSource(entry.stream);
    const node = new AudioWorkletNode(ctx, 'goertzel', {
      numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit',
      processorOptions: { hz, windowSamples: Math.round(ctx.sampleRate / 10) },
    });
    const windows = [];
    node.port.onmessage = (event) => windows.push(event.data.map((db) => Math.round(db * 100) / 100));
    source.connect(node).connect(mute);
    window.__toneWindows[participantId] = { windows, stop: () => source.disconnect() };
  }
}

/**
 * Stops the windows of startToneWindows and returns them per participantId: per 100 ms window, in
 * order, [level, coherent] in dBFS (see the worklet).
 */
export function stopToneWindows() {
  const out = {};
  for (const [participantId, w] of Object.entries(window.__toneWindows ?? {})) {
    w.stop();
    out[participantId] = w.windows;
  }
  window.__toneWindows = {};
  return out;
}

/** The remote address:port of the selected candidate pair of both PeerConnections (publish, subscribe). */
export async function selectedRemotes() {
  const out = {};
  for (const [name, pc] of [['publish', window.cheenhub.publishPeerConnection()], ['subscribe', window.cheenhub.subscribePeerConnection()]]) {
    const all = new Map();
    if (pc) (await pc.getStats()).forEach((s) => all.set(s.id, s));
    const transport = [...all.values()].find((s) => s.type === 'transport');
    const remote = all.get(all.get(transport?.selectedCandidatePairId)?.remoteCandidateId);
    out[name] = remote ? `${remote.address}:${remote.port}` : null;
  }
  return out;
}
