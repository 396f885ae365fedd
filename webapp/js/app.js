// The room page: join a room, see who is in it, live.
import { Signaling } from './signaling.js';

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

const state = { signaling: null, roomId: null, selfId: null, participants: new Map(), pingTimer: null };

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
}

function exitRoom() {
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
$('room').value = decodeURIComponent(location.hash.slice(1)) || '';
$('name').value = localStorage.getItem('cheenhub.name') ?? '';
