// The room page: join a room, hear the others, be heard; see who is in it and who speaks.
// The session itself lives in client.js; this file renders it and exposes window.cheenhub
// (version 2, the contract with the browser tests: docs/client.md).
import { VoiceClient } from './client.js';
import { meterFraction, meterShown } from './meter.js';
import { DEFAULT_AUDIO_PROCESSING } from './publish.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
// ?relay=1 sends all media through the TURN servers of `joined` (tests, and checking a TURN setup).
// ?layers=0 publishes one stream without audio layers (the client before issue 15).
// ?maxlayer=m|l caps what this page receives from the start (else the remembered choice).
const client = new VoiceClient($('remote-audio'), {
  iceTransportPolicy: params.get('relay') === '1' ? 'relay' : 'all',
  layers: params.get('layers') !== '0',
  layerPreference: params.get('maxlayer') ?? storedLayerPreference(),
});

function storedLayerPreference() {
  try {
    return localStorage.getItem('cheenhub.maxLayer') ?? 'h';
  } catch {
    return 'h';
  }
}

/** Plain words for every error code the page can meet (server codes: docs/api-reference.md). */
const EXPLANATIONS = {
  unreachable: 'The server cannot be reached. Check your network connection and try again.',
  closed: 'The connection to the server closed.',
  timeout: 'The server did not answer in time. Try again in a moment.',
  replaced: 'You joined this room again from another tab or device, so this page was disconnected.',
  'rate-limited': 'The server disconnected this page for sending too much at once. Rejoin in a moment.',
  'room-full': 'This room is full. Try again later or pick another room.',
  'room-limit-reached': 'You are already in as many rooms as this server allows on one connection.',
  'invalid-room-id': 'Room names use letters, digits and "-" only (1 to 100 characters).',
  'invalid-display-name': 'Please enter a name of 1 to 64 characters.',
  'room-missing': 'Enter a room name.',
  'name-missing': 'Enter your name.',
  'already-joined': 'You are already in this room.',
  'not-joined': 'The server no longer has you in this room.',
  'missing-field': 'The page sent an incomplete request (missing-field). Reload the page.',
  'invalid-field': 'The page sent an invalid request (invalid-field). Reload the page.',
  'malformed-json': 'The page and the server do not understand each other. Reload the page.',
  'unknown-type': 'This server is older than this page. Reload the page or ask the operator.',
  'transport-unavailable': 'The server cannot carry audio right now (its media port is unavailable). Ask the operator.',
  'auth-required': 'This server needs a sign-in token. Open the room from your application (it adds ?token=…).',
  'auth-invalid': 'Your sign-in token was not accepted. Open the room again from your application.',
  'auth-expired': 'Your sign-in token has expired. Open the room again from your application to get a new one.',
  'auth-forbidden': 'Your sign-in token does not allow this room (or this action).',
  'user-room-limit': 'You are already in as many rooms as this server allows for one person. Leave one first.',
  overloaded: 'The server is busy and is not taking new people right now. Try again in a minute.',
  'internal-error': 'The server hit an internal error. Try again; if it persists, tell the operator.',
  'microphone-denied': 'Microphone access is blocked. Allow it for this site in the browser (the icon in the address bar), then press Retry.',
  'microphone-missing': 'No microphone was found. Connect one, then press Retry. You can still listen.',
  'microphone-busy': 'The microphone is in use by another application or not working. Close the other app, then press Retry.',
  'microphone-unsupported': 'This browser cannot use a microphone on this page (it needs https).',
  'microphone-error': 'The microphone could not be started.',
  'connection-failed': 'The audio connection to the server failed. A firewall may be blocking UDP.',
  'offer-failed': "This browser could not use the server's audio offer.",
};

function explain(error) {
  if (!error) return '';
  if (EXPLANATIONS[error.code]) return EXPLANATIONS[error.code];
  if (error.code?.startsWith('sdp-')) {
    return `The server could not use this browser's audio description (${error.code}: ${error.message}).`;
  }
  return `Something went wrong (${error.code}): ${error.message}`;
}

const STATUS_LABELS = {
  lobby: 'Not connected',
  connecting: 'Connecting…',
  joined: 'Connected',
  reconnecting: 'Reconnecting…',
  failed: 'Connection failed',
  left: 'Not connected',
};

const PUBLISH_LABELS = {
  idle: '–',
  microphone: 'Starting microphone…',
  connecting: 'Connecting…',
  connected: 'Sending',
  disconnected: 'Interrupted…',
  failed: 'Not sending',
  closed: 'Off',
};

const AUDIO_SWITCHES = {
  echoCancellation: 'echo-cancellation',
  noiseSuppression: 'noise-suppression',
  autoGainControl: 'auto-gain-control',
};

// --- Form and remembered values ---

function audioProcessing() {
  return Object.fromEntries(Object.entries(AUDIO_SWITCHES).map(([key, id]) => [key, $(id).checked]));
}

function restoreForm() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem('cheenhub.audio') ?? '{}') ?? {};
  } catch {
    // A corrupt setting: the defaults apply.
  }
  const off = params.get('processing') === 'off';
  for (const [key, id] of Object.entries(AUDIO_SWITCHES)) {
    $(id).checked = off ? false : typeof saved[key] === 'boolean' ? saved[key] : DEFAULT_AUDIO_PROCESSING[key];
  }
  const hashRoom = decodeURIComponent(location.hash.slice(1));
  $('room').value = params.get('room') ?? (hashRoom || localStorage.getItem('cheenhub.room') || '');
  $('name').value = params.get('name') ?? localStorage.getItem('cheenhub.name') ?? '';
}

function remember(roomId, displayName, processing) {
  try {
    localStorage.setItem('cheenhub.room', roomId);
    localStorage.setItem('cheenhub.name', displayName);
    if (params.get('processing') !== 'off') localStorage.setItem('cheenhub.audio', JSON.stringify(processing));
  } catch {
    // Private mode or storage full: nothing to remember.
  }
}

/** The form's first problem as {code, message, field}, or null. An empty field is named, not its rule. */
function validate(roomId, displayName) {
  if (!roomId) return { code: 'room-missing', message: 'no room', field: 'room' };
  if (!/^[A-Za-z0-9-]{1,100}$/.test(roomId)) return { code: 'invalid-room-id', message: 'invalid room', field: 'room' };
  if (!displayName) return { code: 'name-missing', message: 'no name', field: 'name' };
  if ([...displayName].length > 64 || /[\u0000-\u001f\u007f]/.test(displayName)) {
    return { code: 'invalid-display-name', message: 'invalid name', field: 'name' };
  }
  return null;
}

// --- Joining and leaving ---

/**
 * The one way in, for the form, autojoin and window.cheenhub.join. `token` is the signed JWT a
 * server without anonymous joins requires (docs/security.md); by default the page's ?token=.
 */
async function join({ roomId, displayName, audioProcessing: processing, token = params.get('token') } = {}) {
  roomId = String(roomId ?? '').trim();
  displayName = String(displayName ?? '').trim();
  processing = { ...DEFAULT_AUDIO_PROCESSING, ...(processing ?? audioProcessing()) };
  $('room').value = roomId;
  $('name').value = displayName;
  $('error').hidden = true;
  remember(roomId, displayName, processing);
  await client.join({ roomId, displayName, audioProcessing: processing, token });
}

function onSubmit(event) {
  event.preventDefault();
  const roomId = $('room').value.trim();
  const displayName = $('name').value.trim();
  const invalid = validate(roomId, displayName);
  if (invalid) {
    showLobbyError(invalid);
    $(invalid.field).focus();
    return;
  }
  join({ roomId, displayName, audioProcessing: audioProcessing() }).catch(() => {
    // Shown by render() from state().error.
  });
}

function showLobbyError(error) {
  const el = $('error');
  el.textContent = explain(error);
  el.dataset.code = error.code;
  el.hidden = false;
}

// --- Rendering ---

let scheduled = false;
function scheduleRender() {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    render();
  }, 0);
}

let lastStatus = null;
function render() {
  const s = client.state();
  const status = $('connection');
  status.dataset.state = s.status;
  status.textContent = STATUS_LABELS[s.status] ?? s.status;

  const inRoom = s.status === 'joined' || s.status === 'reconnecting';
  $('lobby').hidden = inRoom;
  $('room-view').hidden = !inRoom;
  $('join').disabled = s.status === 'connecting';
  $('join').textContent = s.status === 'connecting' ? 'Joining…' : 'Join';

  if (s.status === 'failed' && s.error) showLobbyError(s.error);
  if (s.status !== lastStatus) announceStatus(s, lastStatus);
  lastStatus = s.status;
  if (!inRoom) return;

  $('room-name').textContent = s.roomId ?? '';
  $('count').textContent = String(s.participants.length + 1);
  const speaking = s.speakers.slots.filter((x) => x.participantId).length;
  $('speaking-count').hidden = !s.largeRoom;
  $('speaking-count').textContent = s.largeRoom ? ` · ${speaking} speaking` : '';
  $('rtt').textContent = client.rtt == null ? '–' : `${client.rtt} ms`;
  if (location.hash !== `#${encodeURIComponent(s.roomId)}`) {
    history.replaceState(null, '', `${location.pathname}${location.search}#${encodeURIComponent(s.roomId)}`);
  }

  const banner = $('banner');
  if (s.status === 'reconnecting') {
    banner.hidden = false;
    banner.textContent = 'Connection to the server lost. Reconnecting…';
  } else {
    banner.hidden = true;
  }

  // Microphone
  const publishError = client.publishError;
  const pill = $('publish-state');
  pill.dataset.state = s.publish;
  pill.textContent = PUBLISH_LABELS[s.publish] ?? s.publish;
  const pe = $('publish-error');
  pe.hidden = !publishError;
  pe.textContent = publishError ? explain(publishError) : '';
  pe.dataset.code = publishError?.code ?? '';
  $('publish-retry').hidden = s.publish !== 'failed';
  const mute = $('mute');
  mute.setAttribute('aria-pressed', String(s.muted));
  mute.querySelector('.label').textContent = s.muted ? 'Unmute' : 'Mute';
  mute.title = s.muted ? 'Unmute your microphone' : 'Mute your microphone';
  const receive = $('receive-quality');
  if (receive.value !== s.layers.preference && document.activeElement !== receive) receive.value = s.layers.preference;
  renderDevices();
  renderTiles(s);
}

function announceStatus(s, previous) {
  const live = $('live');
  if (s.status === 'joined' && previous === 'reconnecting') live.textContent = 'Reconnected.';
  else if (s.status === 'joined') live.textContent = `Joined room ${s.roomId}.`;
  else if (s.status === 'reconnecting') live.textContent = 'Connection lost, reconnecting.';
  else if (s.status === 'left') live.textContent = 'You left the room.';
}

/** A stable avatar colour per participant: FNV-1a of the id, spread over the hue circle. */
function colorFor(id) {
  let hash = 0x811c9dc5;
  for (const ch of id ?? '') hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `hsl(${Math.round((hash % 1000) * 0.360 * 7) % 360} 52% 42%)`;
}

function initials(name) {
  const words = String(name ?? '').trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]].map((w) => [...w][0]) : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

function tile(id) {
  const li = document.createElement('li');
  li.className = 'tile';
  li.dataset.participantId = id;
  li.innerHTML =
    '<span class="avatar" aria-hidden="true"></span><span class="name"></span>' +
    '<span class="meter" aria-hidden="true"><span></span></span><span class="sub"></span>' +
    '<span class="muted-icon" title="Muted" aria-hidden="true"></span>' +
    '<span class="quality"><i></i><i></i><i></i></span>';
  return li;
}

// The server's audio quality levels (qualityUpdate): what each tile's three bars say.
const QUALITY_TITLES = {
  high: 'Audio quality: high (64 kbps)',
  medium: 'Audio quality: medium (32 kbps): the network loses packets',
  low: 'Audio quality: low (16 kbps): the network loses many packets',
};

// With audio layers the bars of another participant's tile say what this page receives from them
// (receiveLayers), capped by their own microphone's level (a speaker stepped down sends less in
// every layer).
const LAYER_LEVELS = { h: 'high', m: 'medium', l: 'low' };
const LEVEL_RANK = { high: 0, medium: 1, low: 2 };
const RECEIVE_TITLES = {
  high: 'You receive high quality (64 kbps)',
  medium: 'You receive medium quality (32 kbps): your connection, or your choice, does not carry more',
  low: 'You receive low quality (16 kbps): your connection, or your choice, does not carry more',
};

/** The level the tile's bars show and their tooltip. */
function tileQuality(p) {
  const own = p.quality ?? 'high';
  const received = LAYER_LEVELS[p.receiveLayer];
  if (p.self || !received) return { level: own, title: QUALITY_TITLES[own] ?? '', receive: null };
  const level = LEVEL_RANK[own] > LEVEL_RANK[received] ? own : received;
  const title = level === own && own !== received ? QUALITY_TITLES[own] : RECEIVE_TITLES[level];
  return { level, title, receive: p.receiveLayer };
}

/**
 * From this many people (or in any room on speaker slots) the roster is a compact list, one line per
 * person: speakers on top (the dominant one first, then by level), then you, then everyone else by name.
 * Smaller rooms keep the tiles, in joining order.
 */
const COMPACT_FROM = 13;
const byName = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** The compact list's order: speakers (dominant, then louder) first, then you, then by name. */
function rosterOrder(a, b) {
  const speaker = (p) => p.slot != null;
  if (speaker(a) !== speaker(b)) return speaker(a) ? -1 : 1;
  if (speaker(a)) {
    if (a.dominant !== b.dominant) return a.dominant ? -1 : 1;
    return (b.speakerLevel ?? 0) - (a.speakerLevel ?? 0) || a.slot - b.slot;
  }
  if (a.self !== b.self) return a.self ? -1 : 1;
  return byName.compare(a.displayName ?? '', b.displayName ?? '') || String(a.participantId).localeCompare(String(b.participantId));
}

/** Per tile: its parts and what was last written into them (renderTiles writes only changes). */
const rows = new WeakMap();

/** What each tile's meter shows ({shown, atMs}), for meterShown's fall rate. */
const meters = new WeakMap();
/** While a meter is still falling, the tiles are drawn again this often (levels may not change meanwhile). */
const METER_FALL_REDRAW_MS = 100;
let meterRedraw = null;

function renderTiles(s) {
  const self = client.self();
  const people = [
    {
      participantId: s.participantId ?? 'self', displayName: self.displayName, self: true,
      speaking: self.speaking, level: self.level, muted: s.muted, note: s.muted ? 'you · muted' : 'you',
      quality: s.quality.level, slot: s.speakers.self, dominant: s.speakers.dominant != null && s.speakers.dominant === s.participantId,
      speakerLevel: s.speakers.slots.find((x) => x.slot === s.speakers.self)?.level ?? null,
    },
    ...s.participants.map((p) => ({
      ...p,
      // In a large room only the speakers' audio arrives (in the slots): the others have none by design.
      note: p.muted ? 'muted'
        : s.largeRoom ? (p.slot != null ? 'speaking' : '')
        : p.hasAudio ? '' : s.subscribe === 'connected' || s.subscribe === 'connecting' ? 'no audio yet' : '',
    })),
  ];
  const compact = s.largeRoom || people.length >= COMPACT_FROM;
  if (compact) people.sort(rosterOrder);
  const list = $('participants');
  if (list.dataset.layout !== (compact ? 'list' : 'tiles')) list.dataset.layout = compact ? 'list' : 'tiles';
  let falling = false;
  const existing = new Map([...list.children].map((li) => [li.dataset.participantId, li]));
  const wanted = [];
  const now = performance.now();
  for (const p of people) {
    const li = existing.get(p.participantId) ?? tile(p.participantId);
    existing.delete(p.participantId);
    // The list is drawn five times a second (levels): only what changed touches the DOM, so a room
    // of hundreds costs a few style changes per frame, not a relayout of every line.
    const parts = (rows.get(li) ?? rows.set(li, {
      avatar: li.querySelector('.avatar'), name: li.querySelector('.name'), bar: li.querySelector('.meter > span'),
      sub: li.querySelector('.sub'), quality: li.querySelector('.quality'), last: {},
    }).get(li));
    const shown = meterShown(p.level, now, meters.get(li));
    meters.set(li, { shown, atMs: now });
    falling ||= shown > meterFraction(p.level);
    const shownQuality = tileQuality(p);
    const view = {
      avatar: `${initials(p.displayName)}|${p.participantId}`,
      level: shown.toFixed(2),
      name: p.displayName ?? '',
      sub: p.note,
      speaking: String(Boolean(p.speaking)),
      muted: String(Boolean(p.muted)),
      self: String(Boolean(p.self)),
      dominant: String(Boolean(p.dominant)),
      slot: p.slot != null ? String(p.slot) : null,
      quality: `${shownQuality.level}|${shownQuality.receive ?? ''}|${shownQuality.title}`,
      label: `${p.displayName}${p.self ? ' (you)' : ''}${p.muted ? ', muted' : ''}${p.speaking ? ', speaking' : ''}` +
        `${p.dominant ? ', main speaker' : ''}`,
    };
    const { last } = parts;
    if (last.avatar !== view.avatar) {
      parts.avatar.style.background = colorFor(p.participantId);
      parts.avatar.textContent = initials(p.displayName);
    }
    if (last.level !== view.level) {
      parts.avatar.style.setProperty('--level', view.level);
      parts.bar.style.width = `${Math.round(shown * 100)}%`;
    }
    if (last.name !== view.name) parts.name.textContent = view.name;
    if (last.sub !== view.sub) parts.sub.textContent = view.sub;
    for (const key of ['speaking', 'muted', 'self', 'dominant']) if (last[key] !== view[key]) li.dataset[key] = view[key];
    if (last.slot !== view.slot) {
      if (view.slot != null) li.dataset.slot = view.slot;
      else delete li.dataset.slot;
    }
    if (last.quality !== view.quality) {
      parts.quality.dataset.level = shownQuality.level;
      parts.quality.title = shownQuality.title;
      if (shownQuality.receive) parts.quality.dataset.receive = shownQuality.receive;
      else delete parts.quality.dataset.receive;
    }
    if (last.label !== view.label) li.setAttribute('aria-label', view.label);
    parts.last = view;
    wanted.push(li);
  }
  existing.forEach((li) => li.remove());
  wanted.forEach((li, i) => {
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] ?? null);
  });
  if (falling && !meterRedraw) {
    meterRedraw = setTimeout(() => {
      meterRedraw = null;
      scheduleRender();
    }, METER_FALL_REDRAW_MS);
  }
}

function renderDevices() {
  const select = $('microphone');
  const devices = client.devices;
  const current = client.currentDeviceId;
  const signature = JSON.stringify([devices, current]);
  if (select.dataset.signature === signature) return;
  select.dataset.signature = signature;
  select.replaceChildren(
    ...(devices.length ? devices : [{ deviceId: '', label: 'Default microphone' }]).map((d) => {
      const option = document.createElement('option');
      option.value = d.deviceId;
      option.textContent = d.label;
      return option;
    }),
  );
  if (devices.some((d) => d.deviceId === current)) select.value = current;
  select.disabled = devices.length < 2;
}

async function onDeviceChange() {
  const select = $('microphone');
  select.disabled = true;
  try {
    await client.selectMicrophone(select.value);
  } catch (error) {
    const pe = $('publish-error');
    pe.hidden = false;
    pe.textContent = `${explain(error)} The previous microphone stays in use.`;
    pe.dataset.code = error.code ?? '';
  } finally {
    select.dataset.signature = '';
    render();
  }
}

// --- Wiring ---

client.addEventListener('change', scheduleRender);
client.addEventListener('devices', scheduleRender);
client.addEventListener('playblocked', () => {
  $('play-blocked').hidden = false;
});
$('enable-audio').addEventListener('click', () => {
  for (const a of client.remoteAudio()) a.element.play().catch(() => {});
  $('play-blocked').hidden = true;
});
$('join-form').addEventListener('submit', onSubmit);
$('leave').addEventListener('click', () => client.leave());
$('mute').addEventListener('click', () => {
  client.setMuted(!client.state().muted).catch((error) => {
    // The microphone is muted here anyway; only the others may not see it yet.
    console.warn('setMuted not confirmed', error.code, error.message);
  });
});
$('publish-retry').addEventListener('click', () => client.retryPublish());
$('microphone').addEventListener('change', onDeviceChange);
$('receive-quality').addEventListener('change', async (event) => {
  const maxLayer = event.target.value;
  try {
    localStorage.setItem('cheenhub.maxLayer', maxLayer);
  } catch {
    // Private mode or storage full: the choice lasts for this page.
  }
  try {
    await client.setLayerPreference(maxLayer);
  } catch (error) {
    const pe = $('publish-error');
    pe.hidden = false;
    pe.textContent = explain(error);
    pe.dataset.code = error.code ?? '';
  }
});
$('copy-link').addEventListener('click', async () => {
  const url = new URL(location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('room', client.state().roomId ?? '');
  try {
    await navigator.clipboard.writeText(url.href);
    $('live').textContent = 'Link copied.';
  } catch {
    prompt('Copy this link:', url.href);
  }
});
window.addEventListener('pagehide', () => {
  if (['joined', 'reconnecting', 'connecting'].includes(client.state().status)) client.leave();
});

// window.cheenhub, version 2: the stable hook for tests and operators (docs/client.md).
// `participantId` and `publisher` are kept, read-only, for the version-1 readers in e2e/.
window.cheenhub = Object.freeze({
  version: 2,
  state: () => client.state(),
  join: (options) => join(options),
  leave: () => client.leave(),
  setMuted: (muted) => client.setMuted(muted),
  speakers: () => client.state().speakers,
  setLayerPreference: (maxLayer) => client.setLayerPreference(maxLayer),
  publishLayers: () => client.publisher?.layers() ?? [],
  remoteAudio: () => client.remoteAudio(),
  publishPeerConnection: () => client.publishPeerConnection(),
  subscribePeerConnection: () => client.subscribePeerConnection(),
  rtcConfiguration: () => client.rtcConfiguration(),
  simulateSignalingLoss: () => client.simulateSignalingLoss(),
  get participantId() {
    return client.state().participantId;
  },
  get publisher() {
    return client.publisher;
  },
});

restoreForm();
render();
if (params.get('autojoin') === '1' && $('room').value && $('name').value) {
  join({ roomId: $('room').value, displayName: $('name').value, audioProcessing: audioProcessing() }).catch(() => {});
}
