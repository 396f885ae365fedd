// A sine tone as a WAV file (RIFF, PCM s16le), the "microphone" for both browsers:
// Chromium reads it with --use-file-for-fake-audio-capture, Firefox hears it through PulseAudio.
import { writeFileSync } from 'node:fs';

export const TONE_HZ = 440;
export const TONE_SAMPLE_RATE = 48_000;
export const TONE_SECONDS = 30; // both players loop it
const AMPLITUDE = 0.5; // of full scale: clean, no clipping after resampling

/**
 * Writes a mono 16-bit `hz` sine of `seconds` at `sampleRate` to `path` and returns `path`. `dips`
 * ({everyMs, ms, factor}) lowers the amplitude to `factor` for `ms` every `everyMs` (speech-like for
 * a speaker selector, see lib/voice-page.mjs); `seconds` should be a multiple of everyMs so the loop is seamless.
 */
export function writeToneWav(path, { hz = TONE_HZ, sampleRate = TONE_SAMPLE_RATE, seconds = TONE_SECONDS, dips = null } = {}) {
  const samples = sampleRate * seconds;
  const dataBytes = samples * 2;
  const wav = Buffer.alloc(44 + dataBytes);
  // RIFF/WAVE header, fmt chunk: PCM (1), 1 channel, 16 bits per sample.
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples; i++) {
    const inDip = dips && ((i * 1000) / sampleRate) % dips.everyMs < dips.ms;
    const v = Math.round((inDip ? dips.factor : 1) * AMPLITUDE * 32767 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
    wav.writeInt16LE(v, 44 + 2 * i);
  }
  writeFileSync(path, wav);
  return path;
}

// `node lib/tone.mjs out.wav` writes the file (handy for trying the page by hand).
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(writeToneWav(process.argv[2] ?? 'tone440.wav'));
}
