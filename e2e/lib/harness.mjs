// What both browser drivers share: arguments, a deadline, clean-up on every exit path, the walk
// through the page (join a room, which then publishes the microphone), and the server's view.
//
// Output contract (BrowserPublishIT parses it): progress goes to stderr; stdout gets exactly one
// JSON line, `{"ok":true,...}` with exit code 0, or `{"ok":false,"error":"..."}` with exit code 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** From joining until the server has seen enough: ICE + DTLS + 100 packets at 50/s take ~3 s warm. */
export const DEADLINE_MS = Number(process.env.E2E_DEADLINE_MS ?? 30_000);
/** What the server must have decrypted from the browser before the run counts as a pass. */
export const MIN_RTP_PACKETS = 100;
/** How long the browser stays connected after a pass, so an observer (BrowserPublishIT) can read the same counters. */
export const LINGER_MS = Number(process.env.E2E_LINGER_MS ?? 1_500);
const POLL_MS = 250;
const CLEANUP_STEP_MS = 10_000;

const started = Date.now();

export function log(message) {
  process.stderr.write(`[e2e +${String(Date.now() - started).padStart(5)} ms] ${message}\n`);
}

/**
 * Runs `body({ baseUrl, roomId, tmp, onCleanup })` and turns its result into the output contract.
 * Everything registered with `onCleanup` runs (in reverse) on success, failure, SIGINT and SIGTERM.
 */
export async function run(driver, body) {
  const [baseArg, roomId] = process.argv.slice(2);
  if (!baseArg || !roomId) {
    process.stderr.write(`usage: node ${driver}.mjs <baseUrl> <roomId>\n`);
    process.exit(2);
  }
  const baseUrl = baseArg.endsWith('/') ? baseArg : `${baseArg}/`;
  const tmp = mkdtempSync(join(tmpdir(), `cheenhub-e2e-${driver}-`));
  const cleanups = [() => rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })];
  const onCleanup = (fn) => cleanups.push(fn);

  let cleaning = null;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const fn of cleanups.reverse()) {
        try {
          await Promise.race([fn(), sleep(CLEANUP_STEP_MS)]);
        } catch (error) {
          log(`clean-up step failed: ${error.message}`);
        }
      }
    })());
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.once(signal, async () => {
      log(`${signal}: cleaning up`);
      await cleanUp();
      process.exit(code);
    });
  }

  const seen = { browser: driver, roomId };
  let result;
  try {
    await body({ baseUrl, roomId, tmp, onCleanup, seen });
    result = { ok: true, ...seen };
    await sleep(LINGER_MS);
  } catch (error) {
    log(`FAILED: ${error.message}`);
    result = { ok: false, error: error.message, ...seen };
  }
  await cleanUp();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(result.ok ? 0 : 1);
}

/**
 * Opens the page, fills the join form like a user and joins, then waits until the page reports the
 * microphone `connected` and the browser's own stats say DTLS is connected. `ui` abstracts the two
 * automation libraries: `goto(url)`, `fill(selector, text)`, `click(selector)`, `evaluate(fn, arg)`.
 */
async function joinAndPublish(ui, { baseUrl, roomId, displayName, audioProcessing, seen }) {
  await ui.goto(baseUrl);
  await ui.fill('#room', roomId);
  await ui.fill('#name', displayName);
  if (audioProcessing) {
    await ui.click('details.settings > summary');
    for (const [id, on] of Object.entries(audioProcessing)) {
      const checked = await ui.evaluate((sel) => document.querySelector(sel).checked, `#${id}`);
      if (checked !== on) await ui.click(`#${id}`);
    }
  }
  log(`joining room ${roomId} as ${displayName}`);
  await ui.click('#join');
  const deadline = Date.now() + DEADLINE_MS;

  let page;
  for (;;) {
    page = await ui.evaluate(readPage);
    if (page.joinError) throw new Error(`join failed, the page says: ${page.joinError}`);
    if (page.publishState === 'failed' || page.publishState === 'connected') break;
    if (Date.now() > deadline) {
      throw new Error(`publish not connected after ${DEADLINE_MS} ms: page shows "${page.publishLabel}"`);
    }
    await sleep(POLL_MS);
  }
  seen.participantId = page.participantId;
  seen.page = { publishState: page.publishState, label: page.publishLabel };
  if (page.publishState === 'failed') {
    seen.page.errorCode = page.publishErrorCode;
    throw new Error(`publish failed, the page says: ${page.publishError} [${page.publishErrorCode}]`);
  }
  log(`page: microphone ${page.publishLabel} (participant ${page.participantId})`);

  let client;
  for (;;) {
    client = await ui.evaluate(readClientStats);
    seen.client = client;
    if (client?.dtlsState === 'connected') break;
    if (Date.now() > deadline) {
      throw new Error(`browser stats: DTLS ${client?.dtlsState ?? 'unknown'} after ${DEADLINE_MS} ms`);
    }
    await sleep(POLL_MS);
  }
  log(`browser: ice ${client.iceState}, dtls ${client.dtlsState}, ${client.srtpCipher}, pair ${client.selectedPair}`);
  return {
    deadline,
    opusPayloadTypes: [client.opusPayloadType, client.redPayloadType].filter((pt) => Number.isInteger(pt)),
    participantId: page.participantId,
  };
}

/**
 * The whole check: join and publish through the page, wait for the server's counters, then read the
 * browser's stats once more so the printed client and server numbers describe the same moment.
 */
export async function publishAndVerify(ui, options) {
  const { baseUrl, roomId, seen } = options;
  const { deadline, opusPayloadTypes, participantId } = await joinAndPublish(ui, options);
  await awaitServerDecrypts(baseUrl, roomId, participantId, opusPayloadTypes, deadline, seen);
  seen.client = await ui.evaluate(readClientStats);
}

/**
 * Polls GET api/rooms/{roomId} until the server decrypted MIN_RTP_PACKETS from us, with Opus among them: its
 * own PT, or RED over Opus, which Chromium sends when the server's answer lists RED first (docs/quality.md).
 */
async function awaitServerDecrypts(baseUrl, roomId, participantId, opusPayloadTypes, deadline, seen) {
  const url = new URL(`api/rooms/${encodeURIComponent(roomId)}`, baseUrl);
  const opus = opusPayloadTypes.map(String).join(' or ');
  for (;;) {
    const response = await fetch(url);
    if (response.ok) {
      const room = await response.json();
      const me = room.participants?.find((p) => p.participantId === participantId);
      seen.server = me?.publish ?? null;
      const publish = me?.publish;
      const withOpus = opusPayloadTypes.reduce((n, pt) => n + (publish?.payloadTypes?.[String(pt)] ?? 0), 0);
      if (publish && publish.rtpPacketsDecrypted >= MIN_RTP_PACKETS && withOpus > 0) {
        log(`server: ${publish.rtpPacketsDecrypted} RTP packets decrypted, PT ${opus} x ${withOpus}`);
        return publish;
      }
    } else {
      seen.server = { httpStatus: response.status };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `server did not decrypt ${MIN_RTP_PACKETS} RTP packets with Opus PT ${opus} in time; ` +
          `last seen: ${JSON.stringify(seen.server)}`,
      );
    }
    await sleep(POLL_MS);
  }
}

// --- Functions below run inside the page (serialized by the automation library): self-contained. ---

function readPage() {
  const text = (id) => document.getElementById(id)?.textContent.trim() ?? '';
  const shown = (id) => document.getElementById(id) && !document.getElementById(id).hidden;
  const state = document.getElementById('publish-state');
  return {
    joinError: shown('error') ? text('error') : null,
    participantId: window.cheenhub?.participantId ?? null,
    publishState: state?.dataset.state ?? null,
    publishLabel: text('publish-state'),
    publishError: shown('publish-error') ? text('publish-error') : null,
    publishErrorCode: document.getElementById('publish-error')?.dataset.code || null,
  };
}

async function readClientStats() {
  const publisher = window.cheenhub?.publisher;
  const pc = publisher?.pc;
  if (!pc) return null;
  const stats = new Map();
  (await pc.getStats()).forEach((s) => stats.set(s.id, s));
  const all = [...stats.values()];
  const transport = all.find((s) => s.type === 'transport');
  const pair =
    stats.get(transport?.selectedCandidatePairId) ??
    all.find((s) => s.type === 'candidate-pair' && (s.selected || s.nominated) && s.state === 'succeeded');
  const endpoint = (id) => {
    const c = stats.get(id);
    return c ? `${c.address ?? c.ip}:${c.port}/${c.protocol} ${c.candidateType}` : null;
  };
  // With audio layers there is one outbound-rtp per layer; the paused ones send nothing.
  const mids = new Map((window.cheenhub.publishLayers?.() ?? []).map((l) => [l.mid, l]));
  const outbounds = all.filter((s) => s.type === 'outbound-rtp' && s.kind === 'audio');
  const outbound = outbounds.reduce((best, s) => (!best || (s.packetsSent ?? 0) > (best.packetsSent ?? 0) ? s : best), null);
  const layers = [...mids.values()].map((l) => ({
    ...l, packetsSent: outbounds.find((s) => s.mid === l.mid)?.packetsSent ?? 0,
  }));
  const codec = stats.get(outbound?.codecId);
  const opusInAnswer = /^a=rtpmap:(\d+) opus\/48000/im.exec(pc.remoteDescription?.sdp ?? '');
  const redInAnswer = /^a=rtpmap:(\d+) red\/48000/im.exec(pc.remoteDescription?.sdp ?? '');
  const track = publisher.track;
  return {
    connectionState: pc.connectionState,
    iceConnectionState: pc.iceConnectionState,
    iceState: transport?.iceState ?? pc.iceConnectionState,
    dtlsState: transport?.dtlsState ?? null,
    dtlsRole: transport?.dtlsRole ?? null,
    tlsVersion: transport?.tlsVersion ?? null,
    dtlsCipher: transport?.dtlsCipher ?? null,
    srtpCipher: transport?.srtpCipher ?? null,
    selectedPair: pair ? `${endpoint(pair.localCandidateId)} -> ${endpoint(pair.remoteCandidateId)}` : null,
    packetsSent: outbound?.packetsSent ?? null,
    layers,
    codec: codec?.mimeType ?? null,
    opusPayloadType: codec?.mimeType?.toLowerCase() === 'audio/opus' ? codec.payloadType : Number(opusInAnswer?.[1]),
    redPayloadType: redInAnswer ? Number(redInAnswer[1]) : null,
    microphone: track ? { label: track.label, settings: track.getSettings() } : null,
  };
}
