// The signaling connection: one WebSocket to /ws speaking the JSON protocol of
// docs/api-reference.md. Requests get a requestId; replies and errors are matched to it.

export class SignalingError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export class Signaling extends EventTarget {
  #socket = null;
  #pending = new Map();
  #nextId = 1;

  /** Opens the socket; resolves when it is open. */
  connect(url = new URL('ws', location.href.replace(/^http/, 'ws'))) {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      this.#socket = socket;
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new SignalingError('unreachable', 'The server cannot be reached.'));
      socket.onclose = (event) => {
        for (const { reject: fail } of this.#pending.values()) {
          fail(new SignalingError('closed', 'The connection to the server closed.'));
        }
        this.#pending.clear();
        this.dispatchEvent(new CustomEvent('close', { detail: { code: event.code, reason: event.reason } }));
      };
      socket.onmessage = (event) => this.#receive(JSON.parse(event.data));
    });
  }

  /** Sends a request and resolves with its reply (or rejects with the server's error). */
  request(message) {
    const requestId = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      this.#socket.send(JSON.stringify({ ...message, requestId }));
    });
  }

  /** Sends a message that gets no reply (e.g. `publishIce`); an error about it arrives as an `error` event. */
  send(message) {
    this.#socket.send(JSON.stringify(message));
  }

  close() {
    this.#socket?.close(1000, 'bye');
  }

  #receive(message) {
    const waiter = message.requestId && this.#pending.get(message.requestId);
    if (waiter) {
      this.#pending.delete(message.requestId);
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
