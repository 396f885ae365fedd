// Functions that run inside the page for the large-room E2E (../large-room.mjs), serialized by
// playwright/puppeteer: each must be self-contained.

/**
 * Init script: window.__large. Notes, the moment the socket delivers them (before the client handles
 * them), every `consumeOffer`, `activeSpeakers`, `trackAdded`, `trackRemoved`, `participantMuted`,
 * `participantJoined`, `participantLeft` and `redirect` with Date.now();
 * `speak(on)` turns the page's microphone into the tone or silence without telling the server (the
 * sending tracks' `enabled`, as a person who stops talking: the packets keep flowing, their RFC 6464
 * level drops to silence).
 */
export function installLargeRoomMonitor() {
  const messages = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        try {
          const m = JSON.parse(event.data);
          if (['consumeOffer', 'activeSpeakers', 'trackAdded', 'trackRemoved', 'participantMuted', 'participantJoined', 'participantLeft', 'redirect'].includes(m.type)) {
            if (m.type === 'consumeOffer') delete m.sdp; // only counted
            messages.push({ at: Date.now(), ...m });
          }
        } catch {
          // Not ours to judge.
        }
      });
    }
  };
  window.__large = {
    messages,
    /** The tone on (true) or silence (false), on every sending track, without `setMuted`. */
    speak(on) {
      window.cheenhub.publisher.setMuted(!on);
      return Date.now();
    },
    offers() {
      return messages.filter((m) => m.type === 'consumeOffer').length;
    },
  };
}

/**
 * Starts measuring every speaker-slot track of the page: per back-to-back 100 ms window, the level
 * (dBFS, Goertzel power mean of five 20 ms blocks, so a drop-out lowers it) of each frequency in
 * `hzList`, in an AudioWorklet (no window is skipped however busy the page is). All slots start in
 * the same render quantum, so window i covers the same samples on every slot. Resolves to the slots
 * measured and the start time; stopSlotWindows() returns the windows.
 */
export async function startSlotWindows(hzList) {
  const slots = (window.cheenhub.remoteAudio() ?? []).filter((e) => e.slot != null && e.track.readyState === 'live');
  if (!slots.length) throw new Error('no live slot track');
  window.__slotContext ??= new AudioContext();
  const ctx = window.__slotContext;
  if (ctx.state !== 'running') await ctx.resume();
  const code = `
    class MultiGoertzel extends AudioWorkletProcessor {
      constructor(options) {
        super();
        const { hzList, windowSamples } = options.processorOptions;
        this.coeff = hzList.map((hz) => 2 * Math.cos((2 * Math.PI * hz) / sampleRate));
        this.n = windowSamples;
        this.block = Math.round(windowSamples / 5);
        this.i = 0;
        this.b1 = new Float64Array(hzList.length);
        this.b2 = new Float64Array(hzList.length);
        this.power = new Float64Array(hzList.length);
        this.index = 0;
        this.zeros = new Float32Array(128);
      }
      process(inputs) {
        const samples = inputs[0]?.[0] ?? this.zeros;
        const m = this.coeff.length;
        for (let k = 0; k < samples.length; k++) {
          const x = samples[k];
          for (let f = 0; f < m; f++) {
            const b0 = x + this.coeff[f] * this.b1[f] - this.b2[f];
            this.b2[f] = this.b1[f];
            this.b1[f] = b0;
          }
          this.i++;
          if (this.i % this.block === 0) {
            for (let f = 0; f < m; f++) {
              const p = this.b1[f] * this.b1[f] + this.b2[f] * this.b2[f] - this.coeff[f] * this.b1[f] * this.b2[f];
              this.power[f] += ((2 * Math.sqrt(Math.max(p, 0))) / this.block) ** 2;
              this.b1[f] = 0; this.b2[f] = 0;
            }
          }
          if (this.i >= this.n) {
            const out = new Array(m);
            for (let f = 0; f < m; f++) {
              out[f] = Math.round(2000 * Math.log10(Math.sqrt(this.power[f] / 5) + 1e-9)) / 100;
              this.power[f] = 0;
            }
            this.port.postMessage([this.index++, out]);
            this.i = 0;
          }
        }
        return true;
      }
    }
    registerProcessor('multi-goertzel', MultiGoertzel);`;
  window.__slotWorklet ??= ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([code], { type: 'application/javascript' })));
  await window.__slotWorklet;
  const mute = ctx.createGain();
  mute.gain.value = 0;
  mute.connect(ctx.destination);
  const measured = {};
  const stops = [];
  const startedAt = Date.now();
  for (const e of slots) {
    const source = ctx.createMediaStreamSource(new MediaStream([e.track]));
    const node = new AudioWorkletNode(ctx, 'multi-goertzel', {
      numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit',
      processorOptions: { hzList, windowSamples: Math.round(ctx.sampleRate / 10) },
    });
    const windows = [];
    const arrivals = [];
    node.port.onmessage = (event) => {
      windows.push(event.data[1]);
      arrivals.push(Date.now());
    };
    source.connect(node).connect(mute);
    measured[e.slot] = { mid: e.mid, windows, arrivals };
    stops.push(() => source.disconnect());
  }
  // The control: the page's own microphone track as it goes to the encoder, in the same windows, so a
  // dip that listeners hear can be told apart from one the sending page's own audio already had.
  let own = null;
  const mic = window.cheenhub.publisher?.track;
  if (mic) {
    const source = ctx.createMediaStreamSource(new MediaStream([mic]));
    const node = new AudioWorkletNode(ctx, 'multi-goertzel', {
      numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit',
      processorOptions: { hzList, windowSamples: Math.round(ctx.sampleRate / 10) },
    });
    own = { windows: [], arrivals: [] };
    node.port.onmessage = (event) => {
      own.windows.push(event.data[1]);
      own.arrivals.push(Date.now());
    };
    source.connect(node).connect(mute);
    stops.push(() => source.disconnect());
  }
  window.__slotWindows = { measured, own, stops, startedAt, hzList, sampleRate: ctx.sampleRate };
  return { slots: Object.keys(measured).map(Number), startedAt, sampleRate: ctx.sampleRate };
}

/** Stops startSlotWindows: per slot its windows (per window the dB of each hz), and arrival times. */
export function stopSlotWindows() {
  const w = window.__slotWindows;
  if (!w) return null;
  for (const stop of w.stops) stop();
  window.__slotWindows = null;
  return { startedAt: w.startedAt, hzList: w.hzList, sampleRate: w.sampleRate, slots: w.measured, own: w.own };
}

/** Samples the slot tracks' getStats counters every 200 ms until window.__large.stopRecording(). */
export function recordSlotCounters() {
  const samples = [];
  let recording = true;
  (async () => {
    while (recording) {
      const pc = window.cheenhub.subscribePeerConnection();
      const bySlot = new Map((window.cheenhub.remoteAudio() ?? []).filter((e) => e.slot != null).map((e) => [e.mid, e.slot]));
      const c = {};
      try {
        (await pc.getStats()).forEach((s) => {
          if (s.type !== 'inbound-rtp' || s.kind !== 'audio' || !bySlot.has(s.mid)) return;
          c[bySlot.get(s.mid)] = { concealedSamples: s.concealedSamples ?? 0, totalSamplesReceived: s.totalSamplesReceived ?? 0 };
        });
      } catch {
        // Closed meanwhile.
      }
      samples.push({ at: Date.now(), c });
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  window.__large.stopRecording = () => {
    recording = false;
    return samples;
  };
}

/** getStats of every slot track now: packets, concealed and total samples, by slot. */
export async function slotCounters() {
  const pc = window.cheenhub.subscribePeerConnection();
  const bySlot = new Map((window.cheenhub.remoteAudio() ?? []).filter((e) => e.slot != null).map((e) => [e.mid, e.slot]));
  const out = {};
  if (!pc) return out;
  (await pc.getStats()).forEach((s) => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'audio' || !bySlot.has(s.mid)) return;
    out[bySlot.get(s.mid)] = {
      packetsReceived: s.packetsReceived ?? 0, packetsLost: s.packetsLost ?? 0,
      concealedSamples: s.concealedSamples ?? 0, silentConcealedSamples: s.silentConcealedSamples ?? 0,
      totalSamplesReceived: s.totalSamplesReceived ?? 0, jitterBufferDelay: s.jitterBufferDelay ?? 0,
      jitterBufferEmittedCount: s.jitterBufferEmittedCount ?? 0,
    };
  });
  return out;
}
