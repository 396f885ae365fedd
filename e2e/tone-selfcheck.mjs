// Self-check of the tone + FFT probe without the SFU: two Chromium pages (contexts) with different
// tones connect P2P directly and each reports what it hears per remote track. Usage: node tone-selfcheck.mjs
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { installVoiceProbe } from './lib/voice-page.mjs';
import { CHROMIUM_ARGS } from './lib/voice.mjs';

const server = createServer((_, res) => res.end('<!doctype html><title>p2p</title>'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
try {
  const pages = [];
  for (const hz of [550, 750]) {
    const ctx = await browser.newContext();
    await ctx.addInitScript(installVoiceProbe, { hz });
    const page = await ctx.newPage();
    await page.goto(url);
    await page.evaluate(async (name) => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const pc = new RTCPeerConnection();
      const remote = [];
      pc.ontrack = (e) => {
        const el = document.createElement('audio');
        el.autoplay = true; el.srcObject = e.streams[0]; document.body.append(el); el.play();
        remote.push({ participantId: 'peer', displayName: 'peer', mid: e.transceiver.mid, track: e.track, stream: e.streams[0], element: el });
      };
      stream.getTracks().forEach((t) => pc.addTrack(t, stream));
      window.cheenhub = { remoteAudio: () => remote, subscribePeerConnection: () => pc, publishPeerConnection: () => pc };
      window.pc = pc;
    }, hz);
    pages.push(page);
  }
  const [a, b] = pages;
  const offer = await a.evaluate(async () => { await pc.setLocalDescription(); await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); }); return pc.localDescription.toJSON(); });
  const answer = await b.evaluate(async (o) => { await pc.setRemoteDescription(o); await pc.setLocalDescription(); await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); }); return pc.localDescription.toJSON(); }, offer);
  await a.evaluate((o) => pc.setRemoteDescription(o), answer);
  await new Promise((r) => setTimeout(r, 2500));
  for (const [i, p] of pages.entries()) {
    console.log(i, JSON.stringify(await p.evaluate(() => window.__e2e.hear({ probeHz: [550, 750] }))));
    console.log(i, JSON.stringify(await p.evaluate(() => window.__e2e.stats())));
  }
} finally {
  await browser.close();
  server.close();
}
