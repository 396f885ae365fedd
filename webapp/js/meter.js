// Level meters on a perceptual scale. `audioLevel` in getStats is linear amplitude, 1 = 0 dBov
// (webrtc-stats, RTCAudioSourceStats/RTCInboundRtpStreamStats); speech sits around 0.03..0.18 on
// it, so a linear bar barely moved. The ear hears decibels: the bar maps METER_FLOOR_DB..
// METER_CEIL_DB linearly onto 0..1, and ordinary speech (-30..-15 dBFS) fills 60..90 % of it.

/** dBFS shown as an empty bar: below it is room noise after noise suppression. */
export const METER_FLOOR_DB = -60;
/** dBFS shown as a full bar: loud speech close to the microphone. */
export const METER_CEIL_DB = -10;
/** How fast the bar may fall, in bars per second: it rises at once but does not flicker between syllables. */
export const METER_FALL_PER_S = 1.5;

/** A linear level 0..1 (1 = 0 dBFS) as the fraction of the bar to fill, 0..1. */
export function meterFraction(level) {
  if (!(level > 0)) return 0;
  const db = 20 * Math.log10(level);
  return Math.min(1, Math.max(0, (db - METER_FLOOR_DB) / (METER_CEIL_DB - METER_FLOOR_DB)));
}

/**
 * Peak-meter ballistics: the fraction to show at `nowMs` for `level`, given `previous` = {shown,
 * atMs} (null the first time): at least the new level's, and at most METER_FALL_PER_S below before.
 */
export function meterShown(level, nowMs, previous = null) {
  const target = meterFraction(level);
  if (!previous) return target;
  const fallen = previous.shown - (METER_FALL_PER_S * Math.max(0, nowMs - previous.atMs)) / 1000;
  return Math.max(target, fallen);
}
