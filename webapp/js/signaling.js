// The signaling connection: one WebSocket to /ws speaking the JSON protocol of
// docs/api-reference.md. Requests get a requestId; replies and errors are matched to it.
// Everything else the server sends (events, and errors without a waiting request) is
// dispatched as an event named after the message's `type`.

export class SignalingError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The page's WebSocket URL: `ws` next to index.html (works under any context root). */
export function signalingUrl() {
  return new URL('ws', location.href.replace(/^http/, 'ws'));
}

/**
 * The trickle message for one `icecandidate` event of `pc` (`publishIce` or `consumeIce`); a null
 * candidate (gathering done) becomes the empty end-of-candidates marker.
 */
export function iceMessage(type, roomId, candidate, pc) {
  return {
    type,
    roomId,
    candidate: candidate?.candidate ?? '',
    sdpMid: candidate?.sdpMid ?? pc?.getTransceivers()[0]?.mid ?? '0',
    sdpMLineIndex: candidate?.sdpMLineIndex ?? 0,
  };
}

export class Signaling extends EventTarget {
  #socket = null;
  #pending = new Map();
  #nextId = 1;
  #closed = false;

  /** Opens the socket; resolves when it is open, rejects with code `unreachable`. */
  connect(url = signalingUrl(), timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new WebSocket(url);
      } catch (error) {
        reject(new SignalingError('unreachable', `The server cannot be reached (${error.message}).`));
        return;
      }
      this.#socket = socket;
      let opened = false;
      const timer = setTimeout(() => {
        if (!opened) {
          reject(new SignalingError('unreachable', 'The server did not answer in time.'));
          socket.close();
        }
      }, timeoutMs);
      socket.onopen = () => {
        opened = true;
        clearTimeout(timer);
        resolve();
      };
      socket.onerror = () => {
        if (!opened) {
          clearTimeout(timer);
          reject(new SignalingError('unreachable', 'The server cannot be reached.'));
        }
      };
      socket.onclose = (event) => {
        clearTimeout(timer);
        this.#closed = true;
        for (const { reject: fail, timer: t } of this.#pending.values()) {
          clearTimeout(t);
          fail(new SignalingError('closed', 'The connection to the server closed.'));
        }
        this.#pending.clear();
        if (opened) {
          this.dispatchEvent(new CustomEvent('close', { detail: { code: event.code, reason: event.reason } }));
        }
      };
      socket.onmessage = (event) => {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch {
          console.warn('signaling: unreadable frame', event.data);
          return;
        }
        this.#receive(message);
      };
    });
  }

  /** True while the socket is open. */
  get open() {
    return !this.#closed && this.#socket?.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a request and resolves with its reply (or rejects with the server's error, or with
   * code `timeout` after `timeoutMs` when given).
   */
  request(message, { timeoutMs = 0 } = {}) {
    if (!this.open) return Promise.reject(new SignalingError('closed', 'Not connected to the server.'));
    const requestId = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      const timer = timeoutMs
        ? setTimeout(() => {
            this.#pending.delete(requestId);
            reject(new SignalingError('timeout', `No answer to ${message.type} in time.`));
          }, timeoutMs)
        : null;
      this.#pending.set(requestId, { resolve, reject, timer });
      this.#socket.send(JSON.stringify({ ...message, requestId }));
    });
  }

  /** Sends a message that gets no reply (e.g. `publishIce`); throws when not connected. */
  send(message) {
    if (!this.open) throw new SignalingError('closed', 'Not connected to the server.');
    this.#socket.send(JSON.stringify(message));
  }

  /** Closes the socket (1000 = a clean goodbye; 4000–4999 are the application's own codes). */
  close(code = 1000, reason = 'bye') {
    try {
      this.#socket?.close(code, reason);
    } catch {
      this.#socket?.close();
    }
  }

  #receive(message) {
    const waiter = message.requestId && this.#pending.get(message.requestId);
    if (waiter) {
      this.#pending.delete(message.requestId);
      clearTimeout(waiter.timer);
      if (message.type === 'error') {
        waiter.reject(new SignalingError(message.code, message.message));
      } else {
        waiter.resolve(message);
      }
      return;
    }
    this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
  }
}
