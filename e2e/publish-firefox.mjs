// Firefox ESR (Debian's /usr/bin/firefox-esr, driven by puppeteer-core over WebDriver BiDi) joins a
// room through the page and publishes its microphone; passes when the server decrypted it.
// The microphone is a PulseAudio null-sink monitor playing a 440 Hz WAV, not Firefox's fake stream:
// see lib/pulse.mjs for why. Usage: node publish-firefox.mjs <baseUrl> <roomId>
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { log, publishAndVerify, run } from './lib/harness.mjs';
import { startPulseAudio } from './lib/pulse.mjs';
import { writeToneWav } from './lib/tone.mjs';

const EXECUTABLE = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const LAUNCH_TIMEOUT_MS = 60_000;

const PREFS = {
  // A real capture device (PulseAudio), granted without a prompt.
  'media.navigator.streams.fake': false,
  'media.navigator.permission.disabled': true,
  // The server under test listens on 127.0.0.1 only: gather loopback and show real host addresses (no mDNS).
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
};

await run('firefox', async ({ baseUrl, roomId, tmp, onCleanup, seen }) => {
  const wav = writeToneWav(join(tmp, 'tone440.wav'));
  const pulse = await startPulseAudio(tmp, wav, log);
  onCleanup(pulse.stop);

  log(`launching ${EXECUTABLE}`);
  const launching = puppeteer.launch({
    browser: 'firefox',
    executablePath: EXECUTABLE,
    headless: true,
    userDataDir: join(tmp, 'profile'),
    env: pulse.env, // XDG_RUNTIME_DIR (and HOME) of our PulseAudio
    extraPrefsFirefox: PREFS,
    timeout: LAUNCH_TIMEOUT_MS,
    handleSIGINT: false, // run() closes the browser on signals, before stopping PulseAudio
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  // Registered before the launch completes, so a signal during the launch still closes the browser.
  onCleanup(async () => (await launching.catch(() => null))?.close());
  const browser = await launching;
  seen.version = await browser.version();
  log(`browser ${seen.version}`);
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  page.on('console', (m) => m.type() !== 'log' && log(`page ${m.type()}: ${m.text()}`));

  const ui = {
    goto: (url) => page.goto(url),
    fill: (selector, text) => page.locator(selector).fill(text),
    click: (selector) => page.locator(selector).click(),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
  };
  await publishAndVerify(ui, {
    baseUrl, roomId, displayName: 'Firefox E2E', seen,
    // Research P2: Firefox's echo canceller / noise suppressor can turn a steady tone into silence.
    audioProcessing: { 'echo-cancellation': false, 'noise-suppression': false, 'auto-gain-control': false },
  });
});
