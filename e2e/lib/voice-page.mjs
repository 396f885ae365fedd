// Functions that run inside the page (serialized by playwright/puppeteer): each must be self-contained.
//
// installVoiceProbe is an init script: it runs before the page's own scripts and
//  - (Chromium) replaces navigator.mediaDevices.getUserMedia with a pure tone: OscillatorNode(hz) →
//    MediaStreamAudioDestinationNode, one distinct frequency per participant (page);
//  - installs window.__e2e with hear() (what each remote track actually sounds like: WebAudio FFT peak
//    frequency and level) and stats() (getStats counters per remote track, RTT of the selected pairs).
// Firefox keeps its real getUserMedia (a PulseAudio monitor playing a WAV tone, see lib/pulse.mjs):
// a synthetic stream would put its ICE agent in default-address-only mode (research P1).

/**
 * Init script. `hz` null keeps the real getUserMedia. `dips` ({everyMs, ms, factor}) makes the tone
 * speech-like for a speaker selector (issue 16): a steady tone is a hum there and never speaks, so
 * every `everyMs` the tone drops to `factor` of its amplitude for `ms`.
 */
export function installVoiceProbe({ hz, gain = 0.4, dips = null }) {
  let audioContext = null;
  const context = () => (audioContext ??= new AudioContext());
  const analysers = new Map(); // track id -> {track, analyser}

  if (hz && navigator.mediaDevices) {
    const md = navigator.mediaDevices;
    const original = md.getUserMedia.bind(md);
    md.getUserMedia = async (constraints) => {
      if (!constraints?.audio || constraints.video) return original(constraints);
      // Ask the browser's (fake) microphone first, so permission and device semantics stay real;
      // then hand out the tone instead.
      const real = await original({ audio: true });
      real.getTracks().forEach((t) => t.stop());
      const ctx = context();
      if (ctx.state !== 'running') await ctx.resume();
      const osc = ctx.createOscillator();
      osc.type = 'sine';
      osc.frequency.value = hz;
      const level = ctx.createGain();
      level.gain.value = gain;
      if (dips) {
        // Scheduled ahead for an hour: the audio clock keeps the rhythm however busy the page is.
        const start = ctx.currentTime + 0.05;
        for (let t = start; t < start + 3600; t += dips.everyMs / 1000) {
          level.gain.setValueAtTime(gain * dips.factor, t);
          level.gain.setValueAtTime(gain, t + dips.ms / 1000);
        }
      }
      const destination = ctx.createMediaStreamDestination();
      osc.connect(level).connect(destination);
      osc.start();
      return destination.stream;
    };
  }

  const peakOf = (spectrum, binHz, fromHz, toHz) => {
    let best = -1;
    for (let i = Math.max(1, Math.floor(fromHz / binHz)); i < Math.min(spectrum.length - 1, toHz / binHz); i++) {
      if (best < 0 || spectrum[i] > spectrum[best]) best = i;
    }
    // Parabolic interpolation on dB values around the peak bin.
    const [a, b, c] = [spectrum[best - 1], spectrum[best], spectrum[best + 1]];
    const denom = a - 2 * b + c;
    const shift = denom === 0 || !Number.isFinite(denom) ? 0 : (0.5 * (a - c)) / denom;
    return { hz: (best + shift) * binHz, db: b };
  };

  window.__e2e = {
    hz,
    /**
     * Listens to every remote track for `ms` and returns, per track, the FFT peak (100–4000 Hz) of the
     * averaged power spectrum, its level in dB, the RMS, and the level at each of `probeHz`.
     */
    async hear({ ms = 600, probeHz = [] } = {}) {
      const ctx = context();
      if (ctx.state !== 'running') await ctx.resume();
      const entries = window.cheenhub?.remoteAudio?.() ?? [];
      const live = [];
      for (const e of entries) {
        let a = analysers.get(e.track.id);
        if (!a || a.track !== e.track) {
          const source = ctx.createMediaStreamSource(e.stream ?? new MediaStream([e.track]));
          const analyser = ctx.createAnalyser();
          analyser.fftSize = 8192;
          analyser.smoothingTimeConstant = 0;
          source.connect(analyser);
          a = { track: e.track, analyser, source };
          analysers.set(e.track.id, a);
        }
        live.push({ e, a, power: new Float64Array(a.analyser.frequencyBinCount), frames: 0, rms: 0 });
      }
      const frame = new Float32Array(8192);
      const until = performance.now() + ms;
      do {
        await new Promise((r) => setTimeout(r, 60));
        for (const l of live) {
          const spectrum = new Float32Array(l.a.analyser.frequencyBinCount);
          l.a.analyser.getFloatFrequencyData(spectrum);
          for (let i = 0; i < spectrum.length; i++) l.power[i] += 10 ** (spectrum[i] / 10);
          l.a.analyser.getFloatTimeDomainData(frame);
          let sum = 0;
          for (const v of frame) sum += v * v;
          l.rms = Math.max(l.rms, Math.sqrt(sum / frame.length));
          l.frames++;
        }
      } while (performance.now() < until);
      const binHz = ctx.sampleRate / 8192;
      return live.map(({ e, power, frames, rms }) => {
        const db = Array.from(power, (p) => 10 * Math.log10(p / Math.max(1, frames) + 1e-30));
        const peak = peakOf(db, binHz, 100, 4000);
        const at = {};
        for (const f of probeHz) {
          const i = Math.round(f / binHz);
          at[f] = Math.round(Math.max(db[i - 1], db[i], db[i + 1]) * 10) / 10;
        }
        return {
          participantId: e.participantId,
          displayName: e.displayName,
          mid: e.mid,
          trackState: e.track.readyState,
          trackMuted: e.track.muted,
          peakHz: Math.round(peak.hz * 10) / 10,
          peakDb: Math.round(peak.db * 10) / 10,
          rms: Math.round(rms * 10000) / 10000,
          at,
        };
      });
    },

    /** Disconnects this probe's analysers (they cost CPU in every page while connected). */
    release() {
      for (const a of analysers.values()) a.source.disconnect();
      analysers.clear();
    },

    /** getStats of the subscribe PC per remote track (by mid), and both PCs' selected-pair RTT. */
    async stats() {
      const hook = window.cheenhub;
      const read = async (pc) => {
        if (!pc) return null;
        const all = [];
        (await pc.getStats()).forEach((s) => all.push(s));
        const byId = new Map(all.map((s) => [s.id, s]));
        const transport = all.find((s) => s.type === 'transport');
        const pair =
          byId.get(transport?.selectedCandidatePairId) ??
          all.find((s) => s.type === 'candidate-pair' && (s.selected || s.nominated) && s.state === 'succeeded');
        return { all, pair, state: pc.connectionState };
      };
      const sub = await read(hook?.subscribePeerConnection?.());
      const pub = await read(hook?.publishPeerConnection?.());
      const mids = new Map((hook?.remoteAudio?.() ?? []).map((e) => [e.mid, e]));
      const tracks = (sub?.all ?? [])
        .filter((s) => s.type === 'inbound-rtp' && s.kind === 'audio')
        .map((s) => ({
          mid: s.mid ?? null,
          participantId: mids.get(s.mid)?.participantId ?? null,
          packetsReceived: s.packetsReceived ?? 0,
          packetsLost: s.packetsLost ?? 0,
          concealedSamples: s.concealedSamples ?? 0,
          totalSamplesReceived: s.totalSamplesReceived ?? 0,
          jitter: s.jitter ?? null,
          audioLevel: s.audioLevel ?? null,
          // audio/red when the SFU forwards RFC 2198 redundancy, else audio/opus.
          codec: sub.all.find((c) => c.id === s.codecId)?.mimeType ?? null,
        }));
      const outbound = (pub?.all ?? []).find((s) => s.type === 'outbound-rtp' && s.kind === 'audio');
      // RTT from the server's RTCP receiver reports about our microphone (RFC 3550 §6.4.1), if it sends them.
      const remoteInbound = (pub?.all ?? []).find((s) => s.type === 'remote-inbound-rtp' && s.kind === 'audio');
      return {
        at: Date.now(),
        subscribe: sub?.state ?? null,
        publish: pub?.state ?? null,
        subscribeRtt: sub?.pair?.currentRoundTripTime ?? null,
        publishRtt: pub?.pair?.currentRoundTripTime ?? null,
        packetsSent: outbound?.packetsSent ?? null,
        publishCodec: (pub?.all ?? []).find((c) => c.id === outbound?.codecId)?.mimeType ?? null,
        publishReportRtt: remoteInbound?.roundTripTime ?? null,
        tracks,
      };
    },

    /**
     * Resolves with Date.now() as soon as the live remote track of `participantId` on the current
     * subscribe PC decodes real audio (getStats: packetsReceived and totalSamplesReceived minus
     * concealedSamples both grew since the previous 40 ms poll), or null on timeout.
     */
    async audioFrom(participantId, timeoutMs) {
      const until = Date.now() + timeoutMs;
      let prev = null;
      for (;;) {
        const pc = window.cheenhub?.subscribePeerConnection?.();
        const e = (window.cheenhub?.remoteAudio?.() ?? []).find(
          (x) => x.participantId === participantId && x.track.readyState === 'live',
        );
        if (pc && e) {
          let s = null;
          (await pc.getStats(e.track)).forEach((x) => {
            if (x.type === 'inbound-rtp') s = x;
          });
          if (s) {
            const decoded = (s.totalSamplesReceived ?? 0) - (s.concealedSamples ?? 0);
            const packets = s.packetsReceived ?? 0;
            if (prev && prev.pc === pc && prev.id === s.id && decoded > prev.decoded && packets > prev.packets) {
              return Date.now();
            }
            prev = { pc, id: s.id, decoded, packets };
          }
        }
        if (Date.now() > until) return null;
        await new Promise((r) => setTimeout(r, 40));
      }
    },

    /** Resolves with Date.now() once no live remote track of `participantId` is left (or null on timeout). */
    async gone(participantId, timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const left = (window.cheenhub?.remoteAudio?.() ?? []).filter(
          (e) => e.participantId === participantId && e.track.readyState === 'live',
        );
        if (left.length === 0) return Date.now();
        if (Date.now() > until) return null;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
