/** About 1 min, 5 min, 30 min, 2 h, 6 h, then every 12 h; a delivery older than 3 days is dead. */
const STEPS_MS = [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000];
const THEN_MS = 43_200_000;
export const GIVE_UP_AFTER_MS = 3 * 86_400_000;

/** Delay before the next attempt after `attempts` failed ones, with ±20 % jitter (random in [0, 1)). */
export function retryDelayMs(attempts: number, random: number): number {
  const base = STEPS_MS[Math.max(0, attempts - 1)] ?? THEN_MS;
  return Math.round(base * (0.8 + 0.4 * random));
}

/** The next attempt time, or null when the delivery should be given up (dead). */
export function nextAttempt(createdAt: Date, attempts: number, now: Date, random: number): Date | null {
  const at = new Date(now.getTime() + retryDelayMs(attempts, random));
  return at.getTime() - createdAt.getTime() > GIVE_UP_AFTER_MS ? null : at;
}
