import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// The collector, to measure live memory rather than garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const live = () => {
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

/**
 * Runs `work` while sampling this process's live memory (heap and buffers, after a collection)
 * every few milliseconds, and returns its result with the largest growth seen. Streamed traffic
 * leaves megabytes of garbage that a plain reading would count; only what is held counts here.
 */
export async function peakGrowthDuring<T>(work: () => Promise<T>): Promise<{ result: T; peakGrowthBytes: number }> {
  const base = live();
  let peak = base;
  let sampling = true;
  const sample = () => {
    if (!sampling) return;
    peak = Math.max(peak, live());
    // Scheduled after each sample, not at an interval, so the collections never starve the work.
    setTimeout(sample, 10);
  };
  sample();
  try {
    const result = await work();
    return { result, peakGrowthBytes: peak - base };
  } finally {
    sampling = false;
  }
}
