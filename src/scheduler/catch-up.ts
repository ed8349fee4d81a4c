import type { CatchUpPolicy } from './table.js';

export interface CatchUpPlan {
  run: Date[];
  skip: { slot: Date; reason: string }[];
}

/**
 * What to do with the slots that came due since the watermark:
 * `all` runs each (oldest first) up to `cap`, skipping the oldest surplus;
 * `latest` runs only the newest; `skip` runs the newest only if it is within
 * `tolerance` of now. Every slot not run is returned as a skip with its reason.
 */
export function planCatchUp(policy: CatchUpPolicy, cap: number, due: Date[], now: Date, toleranceMs: number): CatchUpPlan {
  if (due.length === 0) return { run: [], skip: [] };
  const newest = due[due.length - 1]!;
  if (policy === 'all') {
    const surplus = Math.max(0, due.length - cap);
    return {
      run: due.slice(surplus),
      skip: due.slice(0, surplus).map((slot) => ({ slot, reason: `catch-up cap of ${cap} slots exceeded` })),
    };
  }
  const older = due.slice(0, -1).map((slot) => ({ slot, reason: `missed; catch-up policy ${policy} runs only the newest slot` }));
  if (policy === 'latest') return { run: [newest], skip: older };
  if (now.getTime() - newest.getTime() <= toleranceMs) return { run: [newest], skip: older };
  return { run: [], skip: [...older, { slot: newest, reason: 'missed; catch-up policy skip' }] };
}
