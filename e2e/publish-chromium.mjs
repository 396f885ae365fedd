// Chromium (Debian's /usr/bin/chromium, driven by playwright-core over CDP) joins a room through the
// page and publishes a fake microphone that plays a 440 Hz WAV; passes when the server decrypted it.
// Usage: node publish-chromium.mjs <baseUrl> <roomId>   (output contract: lib/harness.mjs)
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { log, publishAndVerify, run } from './lib/harness.mjs';
import { writeToneWav } from './lib/tone.mjs';

const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_TIMEOUT_MS = 30_000;

await run('chromium', async ({ baseUrl, roomId, tmp, onCleanup, seen }) => {
  const wav = writeToneWav(join(tmp, 'tone440.wav'));
  const args = [
    // Root in a container: no sandbox; nothing may reach the network but the server under test.
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required',
    // Grant the microphone without a prompt and make it the WAV file (the default fake device only beeps).
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`,
  ];
  log(`launching ${EXECUTABLE}`);
  // launchPersistentContext with our own fresh profile dir: launch() rejects --user-data-dir.
  const launching = chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: EXECUTABLE,
    headless: true, // Playwright adds --headless
    args,
    timeout: LAUNCH_TIMEOUT_MS,
    handleSIGINT: false, // run() closes the browser on signals, before removing the profile
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  // Registered before the launch completes, so a signal during the launch still closes the browser.
  onCleanup(async () => (await launching.catch(() => null))?.close());
  const context = await launching;
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => m.type() !== 'log' && log(`page ${m.type()}: ${m.text()}`));
  const cdp = await context.newCDPSession(page);
  seen.version = (await cdp.send('Browser.getVersion')).product;
  log(`browser ${seen.version}`);

  const ui = {
    goto: (url) => page.goto(url),
    fill: (selector, text) => page.fill(selector, text),
    click: (selector) => page.click(selector),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
  };
  await publishAndVerify(ui, {
    baseUrl, roomId, displayName: 'Chromium E2E', seen,
  });
});
