// The room page: join a room, see who is in it, live, and send the microphone to it.
import { Signaling } from './signaling.js';
import { DEFAULT_AUDIO_PROCESSING, Publisher } from './publish.js';

const $ = (id) => document.getElementById(id);
const PING_INTERVAL_MS = 5000;

/** Plain words for the server's error codes (docs/api-reference.md). */
const EXPLANATIONS = {
  'room-full': 'This room is full. Try again later or pick another room.',
  'invalid-room-id': 'Room names use letters, digits and "-" only (up to 100).',
  'invalid-display-name': 'Please enter a name (up to 64 characters).',
  'rate-limited': 'Too many requests; slow down a moment.',
  unreachable: 'The server cannot be reached. Check your network and try again.',
  closed: 'The connection to the server closed.',
};

/** Plain words for why the microphone is not being sent (publish.js and the server's publish errors). */
const PUBLISH_EXPLANATIONS = {
  'microphone-denied': 'Microphone access is blocked. Allow it for this site in the browser, then press Retry.',
  'microphone-missing': 'No microphone was found. Connect one, then press Retry.',
  'microphone-busy': 'The microphone is in use by another application or not working.',
  'microphone-unsupported': 'This browser cannot use a microphone on this page (it needs https).',
  'connection-failed': 'The audio connection to the server failed. A firewall may be blocking UDP.',
  'transport-unavailable': 'The server cannot carry audio right now (its media port is unavailable).',
  'not-joined': 'The server no longer has you in this room.',
};

const PUBLISH_LABELS = {
  idle: '–',
  microphone: 'starting microphone…',
  connecting: 'connecting…',
  connected: 'connected',
  disconnected: 'reconnecting…',
  failed: 'failed',
  closed: 'off',
};

const AUDIO_SWITCHES = {
  echoCancellation: 'echo-cancellation',
  noiseSuppression: 'noise-suppression',
  autoGainControl: 'auto-gain-control',
};

const state = {
  signaling: null,
  roomId: null,
  selfId: null,
  participants: new Map(),
  pingTimer: null,
  publisher: null,
};

// Read-only handle for diagnostics in the console and for the end-to-end drivers in e2e/, which
// read `publisher.pc.getStats()` (ICE/DTLS state) and `participantId` (to find themselves in
// GET /api/rooms/{roomId}). Not an API: it may change with the page.
window.cheenhub = Object.freeze({
  get publisher() {
    return state.publisher;
  },
  get participantId() {
    return state.selfId;
  },
  get roomId() {
    return state.roomId;
  },
});

function setConnection(text, kind) {
  const el = $('connection');
  el.textContent = text;
  el.dataset.state = kind;
}

function showError(error) {
  const el = $('error');
  el.textContent = EXPLANATIONS[error.code] ?? error.message ?? String(error);
  el.hidden = false;
}

function audioProcessing() {
  return Object.fromEntries(Object.entries(AUDIO_SWITCHES).map(([key, id]) => [key, $(id).checked]));
}

function restoreAudioProcessing() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem('cheenhub.audio') ?? '{}');
  } catch {
    // Ignore a corrupt setting; the defaults apply.
  }
  for (const [key, id] of Object.entries(AUDIO_SWITCHES)) {
    $(id).checked = typeof saved[key] === 'boolean' ? saved[key] : DEFAULT_AUDIO_PROCESSING[key];
  }
}

function publishExplanation(error) {
  if (PUBLISH_EXPLANATIONS[error.code]) return PUBLISH_EXPLANATIONS[error.code];
  if (error.code?.startsWith('sdp-')) {
    return `The server could not use this browser's audio offer (${error.code}: ${error.message}).`;
  }
  return `The server refused the audio connection (${error.code}: ${error.message}).`;
}

function showPublishState(publishState, error) {
  const el = $('publish-state');
  el.textContent = PUBLISH_LABELS[publishState] ?? publishState;
  el.dataset.state = publishState;
  const message = $('publish-error');
  message.hidden = !error;
  message.textContent = error ? publishExplanation(error) : '';
  message.dataset.code = error?.code ?? '';
  $('publish-retry').hidden = publishState !== 'failed';
}

/** Sends the microphone to the room: called after `joined` and by Retry. */
function publish() {
  state.publisher?.close();
  const publisher = new Publisher(state.signaling, state.roomId, { audioProcessing: audioProcessing() });
  state.publisher = publisher;
  publisher.addEventListener('statechange', ({ detail }) => {
    if (state.publisher === publisher) showPublishState(detail.state, detail.error);
  });
  publisher.start().catch(() => {
    // Reported through statechange (state `failed`, with the error).
  });
}

function stopPublishing() {
  state.publisher?.close();
  state.publisher = null;
  showPublishState('idle', null);
}

function colorFor(id) {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 55% 45%)`;
}

function render() {
  const list = $('participants');
  list.replaceChildren(
    ...[...state.participants.values()].map((p) => {
      const li = document.createElement('li');
      li.dataset.participantId = p.participantId;
      const avatar = document.createElement('span');
      avatar.className = 'avatar';
      avatar.style.background = colorFor(p.participantId);
      avatar.textContent = [...p.displayName][0]?.toUpperCase() ?? '?';
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = p.displayName;
      li.append(avatar, name);
      if (p.participantId === state.selfId) {
        const you = document.createElement('span');
        you.className = 'you';
        you.textContent = 'you';
        li.append(you);
      }
      return li;
    }),
  );
  $('count').textContent = String(state.participants.size);
}

function enterRoom(joined, displayName) {
  state.roomId = joined.roomId;
  state.selfId = joined.participantId;
  state.participants = new Map(joined.participants.map((p) => [p.participantId, p]));
  state.participants.set(joined.participantId, { participantId: joined.participantId, displayName });
  $('room-name').textContent = joined.roomId;
  $('lobby').hidden = true;
  $('room-view').hidden = false;
  history.replaceState(null, '', `#${encodeURIComponent(joined.roomId)}`);
  render();
  state.pingTimer = setInterval(ping, PING_INTERVAL_MS);
  ping();
  publish();
}

function exitRoom() {
  stopPublishing();
  clearInterval(state.pingTimer);
  state.roomId = null;
  state.participants.clear();
  $('room-view').hidden = true;
  $('lobby').hidden = false;
  $('join').disabled = false;
}

async function ping() {
  try {
    const pong = await state.signaling.request({ type: 'ping', ts: Date.now() });
    $('rtt').textContent = `${Date.now() - pong.ts} ms`;
  } catch {
    // The close handler reports a lost connection.
  }
}

async function join(event) {
  event.preventDefault();
  $('error').hidden = true;
  $('join').disabled = true;
  const roomId = $('room').value.trim();
  const displayName = $('name').value.trim();
  localStorage.setItem('cheenhub.name', displayName);
  localStorage.setItem('cheenhub.audio', JSON.stringify(audioProcessing()));
  const signaling = new Signaling();
  state.signaling = signaling;
  setConnection('connecting…', 'connecting');
  try {
    await signaling.connect();
    setConnection('connected', 'online');
    signaling.addEventListener('participantJoined', ({ detail }) => {
      state.participants.set(detail.participant.participantId, detail.participant);
      render();
    });
    signaling.addEventListener('participantLeft', ({ detail }) => {
      state.participants.delete(detail.participantId);
      render();
    });
    signaling.addEventListener('error', ({ detail }) => {
      // Errors without a request to answer (e.g. about a publishIce): for the console only.
      console.warn('server error', detail.code, detail.message);
    });
    signaling.addEventListener('close', ({ detail }) => {
      setConnection('offline', 'offline');
      if (state.signaling === signaling && state.roomId) {
        exitRoom();
        showError({ code: 'closed', message: detail.reason || 'The connection to the server closed.' });
      }
    });
    enterRoom(await signaling.request({ type: 'join', roomId, displayName }), displayName);
  } catch (error) {
    signaling.close();
    setConnection('offline', 'offline');
    $('join').disabled = false;
    showError(error);
  }
}

async function leave() {
  const signaling = state.signaling;
  state.signaling = null;
  exitRoom();
  try {
    await signaling.request({ type: 'leave' });
  } finally {
    signaling.close();
    setConnection('offline', 'offline');
  }
}

$('join-form').addEventListener('submit', join);
$('leave').addEventListener('click', leave);
$('publish-retry').addEventListener('click', publish);
$('room').value = decodeURIComponent(location.hash.slice(1)) || '';
$('name').value = localStorage.getItem('cheenhub.name') ?? '';
restoreAudioProcessing();
