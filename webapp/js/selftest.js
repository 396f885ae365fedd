// The self-test page: checks, in order, the microphone, the WebSocket, ICE straight to the server,
// DTLS, a media echo through the server, and ICE through TURN, and says in plain words what is wrong.
// Two signaling connections join a private room: the "speaker" publishes a 1 kHz test tone, the
// "listener" subscribes and must hear that tone come back from the server. window.selftest exposes
// run() and report() (the E2E test reads them); ?autostart=1 runs at once, ?room= names the room.
import { Signaling, iceMessage, signalingUrl } from './signaling.js';
import { Subscriber } from './subscribe.js';

const TONE_HZ = 1000;
const TONE_TOLERANCE_HZ = 15;
const HEARD_DB = -50;
const CONNECT_TIMEOUT_MS = 12_000;
const ECHO_TIMEOUT_MS = 10_000;
const MIC_LISTEN_MS = 2000;

const CHECKS = [
  ['microphone', 'Microphone'],
  ['websocket', 'Connection to the server (WebSocket)'],
  ['ice-host', 'Media path straight to the server (ICE, UDP)'],
  ['dtls', 'Encryption (DTLS)'],
  ['echo', 'Audio round trip through the server'],
  ['ice-turn', 'Media path through the TURN relay'],
];

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class CheckFailed extends Error {}

/** One row per check: status running|pass|fail|skip, and a sentence for the user. */
const results = new Map();
let done = false;

function show(id, status, detail, data) {
  results.set(id, { id, title: CHECKS.find(([c]) => c === id)[1], status, detail, data: data ?? null });
  let li = document.querySelector(`li[data-check="${id}"]`);
  if (!li) {
    li = document.createElement('li');
    li.dataset.check = id;
    li.innerHTML = '<span class="verdict"></span><span class="title"></span><span class="detail"></span>';
    $('checks').append(li);
  }
  li.dataset.status = status;
  li.querySelector('.verdict').textContent = { running: 'Testing…', pass: 'OK', fail: 'Problem', skip: 'Skipped' }[status];
  li.querySelector('.title').textContent = results.get(id).title;
  li.querySelector('.detail').textContent = detail ?? '';
}

/** Resolves when `pc` is connected; rejects with its last states after `ms`. */
function connected(pc, ms = CONNECT_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') finish(resolve);
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') finish(() => reject(new Error(pc.connectionState)));
    };
    const finish = (fn) => {
      clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', check);
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`ice ${pc.iceConnectionState}, connection ${pc.connectionState}`))), ms);
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

async function selectedPair(pc) {
  const all = new Map();
  (await pc.getStats()).forEach((s) => all.set(s.id, s));
  const transport = [...all.values()].find((s) => s.type === 'transport');
  const pair = all.get(transport?.selectedCandidatePairId);
  return {
    transport,
    local: all.get(pair?.localCandidateId) ?? null,
    remote: all.get(pair?.remoteCandidateId) ?? null,
  };
}

/** The server's media address from its answer (`a=candidate` lines), for the diagnosis. */
function serverAddresses(sdp) {
  return [...sdp.matchAll(/^a=candidate:\S+ \d+ (\w+) \d+ (\S+) (\d+) typ/gm)].map((m) => `${m[2]}:${m[3]} (${m[1].toUpperCase()})`);
}

/** FFT peak (100–4000 Hz) of `track` over `ms`, averaged; {hz, db}. */
async function listen(context, stream, ms) {
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  const source = context.createMediaStreamSource(stream);
  source.connect(analyser);
  const frame = new Float32Array(analyser.frequencyBinCount);
  const power = new Float64Array(analyser.frequencyBinCount);
  let frames = 0;
  for (const end = performance.now() + ms; performance.now() < end; frames++) {
    await sleep(60);
    analyser.getFloatFrequencyData(frame);
    frame.forEach((db, i) => (power[i] += 10 ** (db / 10)));
  }
  source.disconnect();
  const binHz = context.sampleRate / analyser.fftSize;
  let best = Math.floor(100 / binHz);
  for (let i = best; i < 4000 / binHz; i++) if (power[i] > power[best]) best = i;
  return { hz: Math.round(best * binHz), db: Math.round(10 * Math.log10(power[best] / Math.max(frames, 1))) };
}

/** The peak sample level of `stream` over `ms` (0..1). */
async function level(context, stream, ms) {
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  const source = context.createMediaStreamSource(stream);
  source.connect(analyser);
  const buffer = new Float32Array(analyser.fftSize);
  let peak = 0;
  for (const end = performance.now() + ms; performance.now() < end; ) {
    await sleep(50);
    analyser.getFloatTimeDomainData(buffer);
    for (const v of buffer) peak = Math.max(peak, Math.abs(v));
  }
  source.disconnect();
  return peak;
}

/**
 * A joined signaling connection: `socket`, the `joined` message, and events routed to handlers. A server
 * that requires tokens (docs/security.md) gets the page's ?token= (it must allow the test room).
 */
async function joinAs(roomId, displayName) {
  const socket = new Signaling();
  await socket.connect();
  const message = { type: 'join', roomId, displayName };
  if (params.get('token')) message.token = params.get('token');
  const joined = await socket.request(message, { timeoutMs: 10_000 });
  return { socket, joined };
}

/** Publishes `track` on a new sendonly PeerConnection with `config`; resolves {pc, answer}. */
async function publish(speaker, roomId, track, config) {
  const pc = new RTCPeerConnection({ ...config, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  const errors = [];
  pc.onicecandidateerror = (e) => errors.push({ code: e.errorCode, text: e.errorText, url: e.url });
  pc.addTransceiver(track, { direction: 'sendonly', streams: [new MediaStream([track])] });
  const pending = [];
  let sent = false;
  pc.onicecandidate = (e) => {
    if (e.candidate?.candidate === '') return;
    if (!sent) pending.push(e.candidate);
    else speaker.socket.send(iceMessage('publishIce', roomId, e.candidate, pc));
  };
  await pc.setLocalDescription(await pc.createOffer());
  const reply = speaker.socket.request({ type: 'publishOffer', roomId, sdp: pc.localDescription.sdp }, { timeoutMs: 10_000 });
  sent = true;
  pending.splice(0).forEach((c) => speaker.socket.send(iceMessage('publishIce', roomId, c, pc)));
  const answer = await reply;
  await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  return { pc, answer, errors };
}

async function run() {
  if (!done && results.size) return report(); // already running
  results.clear();
  done = false;
  $('checks').replaceChildren();
  $('summary').textContent = '';
  $('run').disabled = true;
  const roomId = params.get('room') ?? `selftest-${crypto.getRandomValues(new Uint32Array(2)).join('')}`;
  const cleanup = [];
  const context = new AudioContext();
  cleanup.push(() => context.close());
  let current = null;
  const step = async (id, body) => {
    current = id;
    show(id, 'running', '');
    try {
      const out = await body();
      show(id, out.status ?? 'pass', out.detail, out.data);
      return true;
    } catch (error) {
      show(id, 'fail', error instanceof CheckFailed ? error.message : `${error.message ?? error}`);
      return false;
    }
  };
  const skipRest = (reason) => {
    for (const [id] of CHECKS) if (!results.has(id)) show(id, 'skip', reason);
  };

  try {
    // 1. Microphone: permission, a live track, and sound on it.
    const micOk = await step('microphone', async () => {
      if (!window.isSecureContext) throw new CheckFailed('This page is not opened over https (or on localhost): browsers only give the microphone to secure pages. Open it with https://.');
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      } catch (error) {
        throw new CheckFailed({
          NotAllowedError: "Microphone blocked: allow it in the browser's site settings (the icon left of the address), then run the test again.",
          SecurityError: "Microphone blocked by the browser's security settings for this site.",
          NotFoundError: 'No microphone found: plug one in, or turn it on in the system settings.',
          NotReadableError: 'The microphone is in use by another application, or failing: close other call apps and try again.',
        }[error.name] ?? `The microphone could not be started (${error.name}: ${error.message}).`);
      }
      const [track] = stream.getAudioTracks();
      cleanup.push(() => track.stop());
      if (context.state !== 'running') await context.resume();
      const peak = await level(context, stream, MIC_LISTEN_MS);
      if (peak === 0) throw new CheckFailed(`"${track.label}" sends pure silence: it is muted in the system or by a hardware switch.`);
      return { detail: `"${track.label}" works (peak level ${peak.toFixed(3)}).`, data: { label: track.label, peak } };
    });

    // 2. WebSocket: connect and ping.
    let speaker;
    const wsOk = await step('websocket', async () => {
      const url = signalingUrl().href;
      try {
        speaker = await joinAs(roomId, 'self-test speaker');
      } catch (error) {
        throw new CheckFailed(
          error.code === 'unreachable' || error.code === 'closed'
            ? `The server's WebSocket at ${url} cannot be reached: the server is down, or a proxy or firewall blocks WebSockets (it must pass "Upgrade: websocket").`
            : error.code === 'auth-required'
              ? 'The server requires a sign-in token: open this page with ?token=<your token> (the same token the voice page uses), or ask the operator.'
              : error.code === 'auth-expired' || error.code === 'auth-invalid' || error.code === 'auth-forbidden'
                ? `The server did not accept the token (${error.code}): ${error.message}. Get a fresh token that allows this room.`
                : error.code === 'overloaded'
                  ? `The server is at capacity and refuses new joins for now: ${error.message}. Try again later; the operator sees why in /health/ready.`
                  : `The server refused the test's join: ${error.message} [${error.code}].`,
        );
      }
      cleanup.push(() => speaker.socket.close(1000, 'self-test done'));
      const t0 = performance.now();
      await speaker.socket.request({ type: 'ping', ts: Date.now() }, { timeoutMs: 5000 }).catch(() => {
        throw new CheckFailed('The WebSocket opened but the server does not answer: a proxy may be holding the messages back.');
      });
      const rtt = Math.round(performance.now() - t0);
      return { detail: `Connected to ${url}; round trip ${rtt} ms.`, data: { url, rttMs: rtt } };
    });
    if (!wsOk) return skipRest('Needs the connection to the server.');

    // The test signal: a 1 kHz tone, so that what comes back can be recognised.
    const osc = context.createOscillator();
    osc.frequency.value = TONE_HZ;
    const gain = context.createGain();
    gain.gain.value = 0.3;
    const destination = context.createMediaStreamDestination();
    osc.connect(gain).connect(destination);
    osc.start();
    cleanup.push(() => osc.stop());
    const [tone] = destination.stream.getAudioTracks();

    // 3. ICE straight to the server (no TURN).
    let direct;
    const hostOk = await step('ice-host', async () => {
      direct = await publish(speaker, roomId, tone, { iceServers: [] });
      cleanup.push(() => direct.pc.close());
      const servers = serverAddresses(direct.answer.sdp);
      try {
        await connected(direct.pc);
      } catch (error) {
        throw new CheckFailed(`No media path to the server's ${servers.join(', ') || 'media port'}: UDP to it is blocked by a firewall or NAT (open that UDP port), or the server advertises an address this computer cannot reach (sfu.media.advertised-addresses). TURN, if configured, is tested below. [${error.message}]`);
      }
      const { local, remote } = await selectedPair(direct.pc);
      return { detail: `Connected to ${remote?.address}:${remote?.port} from a ${local?.candidateType} candidate over ${local?.protocol?.toUpperCase()}.`, data: { local: local?.candidateType, remote: `${remote?.address}:${remote?.port}` } };
    });

    // 4. DTLS on that connection.
    await step('dtls', async () => {
      if (!hostOk) throw new CheckFailed('Not tested: needs the direct media path above.');
      const { transport } = await selectedPair(direct.pc);
      if (transport?.dtlsState !== 'connected') throw new CheckFailed(`The media path works but encryption did not start (DTLS ${transport?.dtlsState}): something on the path changes or drops large UDP packets.`);
      return { detail: `Encrypted with ${transport.dtlsCipher ?? 'DTLS'}, media with ${transport.srtpCipher ?? 'SRTP'}.`, data: { dtlsCipher: transport.dtlsCipher, srtpCipher: transport.srtpCipher } };
    });

    // 5. Echo: a second participant of the same room must hear the tone.
    let listener;
    let subscriber;
    const echo = async (what) => {
      const until = performance.now() + ECHO_TIMEOUT_MS;
      let heard = null;
      while (performance.now() < until) {
        const entry = subscriber.remoteAudio().find((e) => e.participantId === speaker.joined.participantId && e.track.readyState === 'live');
        if (entry) {
          heard = await listen(context, entry.stream, 800);
          if (heard.db >= HEARD_DB && Math.abs(heard.hz - TONE_HZ) <= TONE_TOLERANCE_HZ) return heard;
        } else {
          await sleep(200);
        }
      }
      throw new CheckFailed(
        heard
          ? `The audio coming back ${what} is not the test tone (loudest ${heard.hz} Hz at ${heard.db} dB, expected ${TONE_HZ} Hz): packets are lost or damaged on the way.`
          : `No audio came back ${what}: the server received nothing to forward, or its audio does not reach this browser.`,
      );
    };
    await step('echo', async () => {
      if (!hostOk) throw new CheckFailed('Not tested: needs the direct media path above.');
      listener = await joinAs(roomId, 'self-test listener');
      cleanup.push(() => listener.socket.close(1000, 'self-test done'));
      const channel = {
        send: (m) => listener.socket.send(m),
        request: (m, o) => listener.socket.request(m, o),
      };
      subscriber = new Subscriber(channel, roomId, { container: $('remote-audio'), requestId: 'selftest-sub', rtcConfiguration: { iceServers: [] } });
      cleanup.push(() => subscriber.close());
      listener.socket.addEventListener('trackAdded', ({ detail }) => subscriber.trackAdded(detail));
      listener.socket.addEventListener('trackRemoved', ({ detail }) => subscriber.trackRemoved(detail));
      listener.socket.addEventListener('consumeOffer', ({ detail }) => subscriber.offer(detail));
      subscriber.start();
      const heard = await echo('through the server');
      return { detail: `The test tone made the round trip through the server (${heard.hz} Hz at ${heard.db} dB).`, data: heard };
    });

    // 6. TURN: publish again, relay only, with the servers the join handed out; the tone must still come back.
    await step('ice-turn', async () => {
      const iceServers = speaker.joined.iceServers ?? [];
      if (!iceServers.length) {
        return { status: 'skip', detail: 'This server hands out no TURN server (sfu.turn.urls is not set): users whose network blocks UDP to the server cannot connect.' };
      }
      const urls = iceServers.flatMap((s) => [].concat(s.urls));
      direct?.pc.close(); // from now on the relay is the only way the tone can reach the server
      const relayed = await publish(speaker, roomId, tone, { iceServers, iceTransportPolicy: 'relay' });
      cleanup.push(() => relayed.pc.close());
      try {
        await connected(relayed.pc);
      } catch (error) {
        const codes = new Set(relayed.errors.map((e) => e.code));
        throw new CheckFailed(
          codes.has(401)
            ? `The TURN server (${urls.join(', ')}) refused the credentials: sfu.turn.secret must equal the TURN server's static-auth-secret, and the clocks of both must be right.`
            : relayed.errors.length
              ? `The TURN server (${urls.join(', ')}) cannot be reached or gives no relay: ${relayed.errors.map((e) => `${e.url}: ${e.code} ${e.text}`).join('; ')}. Check that its ports are open.`
              : `No media path through the TURN server (${urls.join(', ')}): the TURN server cannot reach the SFU's media port, or its ports are blocked. [${error.message}]`,
        );
      }
      const { local } = await selectedPair(relayed.pc);
      if (local?.candidateType !== 'relay') throw new CheckFailed(`Connected, but not through the relay (${local?.candidateType}).`);
      const heard = await echo('through the TURN relay');
      return { detail: `Connected through ${local.url ?? 'the TURN server'} over ${local.relayProtocol?.toUpperCase()}; the tone came back through the relay (${heard.hz} Hz).`, data: { relayProtocol: local.relayProtocol, url: local.url ?? null, heard } };
    });
  } catch (error) {
    if (current) show(current, 'fail', `${error.message ?? error}`);
  } finally {
    for (const fn of cleanup.reverse()) {
      try {
        await fn();
      } catch {
        // Best effort.
      }
    }
    skipRest('Not run.');
    done = true;
    $('run').disabled = false;
    const failed = [...results.values()].filter((r) => r.status === 'fail');
    $('summary').textContent = failed.length ? `${failed.length} problem(s) found: see above.` : 'Everything works.';
  }
  return report();
}

function report() {
  return { done, checks: [...results.values()] };
}

window.selftest = Object.freeze({ run, report });
$('run').addEventListener('click', () => run());
if (params.get('autostart') === '1') run();
