// A TCP load balancer in front of a cluster's instances, as an operator's (HAProxy, an ingress) would be: each
// new connection goes to the next instance that accepts it, round robin, skipping dead ones. The pages load from
// it and open their signaling WebSocket through it; a `redirect` then sends them to an instance's own URL, and
// media goes straight to the instance (UDP), as in production.
import { createServer, connect } from 'node:net';

/** Listens on loopback `port` (0: a free one); `backends()` returns the current [{host, port}] list. */
export async function startBalancer(backends, port = 0) {
  let next = 0;
  const open = new Set();
  const tryConnect = (client, list, attempt) => {
    if (attempt >= list.length || client.destroyed) {
      client.destroy();
      return;
    }
    const target = list[(next + attempt) % list.length];
    const upstream = connect(target.port, target.host);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      next = (next + attempt + 1) % list.length;
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) tryConnect(client, list, attempt + 1); // refused: that instance is down
    });
    upstream.once('close', () => {
      if (connected) client.destroy();
    });
    client.once('close', () => upstream.destroy());
  };
  const server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.on('error', () => client.destroy());
    client.once('close', () => open.delete(client));
    tryConnect(client, backends(), 0);
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
