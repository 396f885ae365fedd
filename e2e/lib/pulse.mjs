// A private PulseAudio server for Firefox (../shared/research/browser-interop.md §4):
// - without any audio server Firefox's AudioContext hangs or the browser dies, so `playout` is a null sink;
// - Firefox's *fake* capture puts its ICE agent in "default address only" mode, which never pairs with a
//   loopback-only server, so the microphone must be a real capture device: the monitor of a second null
//   sink (`mic`), fed by `paplay` looping the tone.
// Runs in the foreground as our child (never daemonized), so nothing outlives the driver.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const MIC_SINK = 'micsink';
const PLAYOUT_SINK = 'nullsink';

/**
 * Starts PulseAudio under `dir` and a looping `paplay` of `wavPath` into the microphone sink.
 * Returns `{ env, stop }`: give `env` (XDG_RUNTIME_DIR, HOME) to the browser; `stop()` ends both.
 */
export async function startPulseAudio(dir, wavPath, log) {
  const runtimeDir = join(dir, 'xdg');
  const home = join(dir, 'home');
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  mkdirSync(home, { recursive: true });
  // HOME too, so the cookie and state files land in `dir` and not in the real home.
  const env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir, HOME: home };
  const script = join(dir, 'e2e.pa');
  writeFileSync(
    script,
    [
      'load-module module-native-protocol-unix auth-anonymous=1',
      `load-module module-null-sink sink_name=${PLAYOUT_SINK} sink_properties=device.description=Playout`,
      `load-module module-null-sink sink_name=${MIC_SINK} rate=48000 channels=1 sink_properties=device.description=Microphone`,
      `set-default-sink ${PLAYOUT_SINK}`,
      `set-default-source ${MIC_SINK}.monitor`,
      '',
    ].join('\n'),
  );

  const server = spawn(
    'pulseaudio',
    ['-n', '-F', script, '--daemonize=no', '--exit-idle-time=-1', '--disallow-exit', '--use-pid-file=no', '--log-target=stderr'],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const serverExited = new Promise((resolve) => server.once('exit', resolve));
  let serverLog = '';
  server.stderr.on('data', (chunk) => {
    serverLog = (serverLog + chunk).slice(-4000);
  });
  server.once('error', (error) => log(`pulseaudio could not start: ${error.message}`));

  let player = null;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    player?.kill('SIGTERM');
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      const killed = await Promise.race([serverExited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!killed) server.kill('SIGKILL');
    }
  };

  try {
    await waitUntilReady(env, server, () => serverLog);
    const play = () => {
      if (stopping) return;
      player = spawn('paplay', [`--device=${MIC_SINK}`, wavPath], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      player.once('error', (error) => log(`paplay could not start: ${error.message}`));
      player.once('exit', (code, signal) => {
        if (stopping) return;
        if (code !== 0) log(`paplay exited (${code ?? signal}); restarting`);
        setTimeout(play, code === 0 ? 0 : 500);
      });
    };
    play();
    log(`pulseaudio ${server.pid} up; default source ${MIC_SINK}.monitor fed by paplay ${wavPath}`);
    return { env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitUntilReady(env, server, serverLog) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`pulseaudio exited (${server.exitCode ?? server.signalCode}): ${serverLog().trim()}`);
    }
    const info = spawnSync('pactl', ['info'], { env, encoding: 'utf8', timeout: 2_000 });
    if (info.status === 0 && info.stdout.includes(`Default Source: ${MIC_SINK}.monitor`)) return;
    await sleep(100);
  }
  throw new Error(`pulseaudio not ready after ${READY_TIMEOUT_MS} ms: ${serverLog().trim()}`);
}
