import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** A child process running a TypeScript entry point (test/support/run-ts.js), as tests that kill processes need. */
export interface ChildHandle {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGKILL: no shutdown hooks, as when a machine dies. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export async function startTs(entry: string, env: Record<string, string>, ready: RegExp, timeoutMs = 30_000): Promise<ChildHandle & { match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['test/support/run-ts.js', entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = once(child, 'exit');
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not get ready in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = output.match(ready);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready:\n${output}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, match, output: () => output, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** The project's DOJ simulator as its own process, on a free port. */
export interface Simulator {
  url: string;
  control(faults: Record<string, unknown>): Promise<void>;
  stats(): Promise<{ received: number; applied: { tcn: string; type: string; fcn: string | null; accepted: boolean }[] }>;
  stop(): Promise<void>;
}

export async function startSimulator(faults: Record<string, unknown> = {}): Promise<Simulator> {
  const handle = await startTs(
    'src/carpos/doj-simulator/main.ts',
    { DOJ_SIMULATOR_PORT: '0', DOJ_SIMULATOR_FAULTS: JSON.stringify(faults) },
    /listening on port (\d+)/,
  );
  const url = `http://127.0.0.1:${handle.match[1]}`;
  return {
    url,
    async control(next) {
      const response = await fetch(`${url}/control`, { method: 'POST', body: JSON.stringify(next) });
      if (!response.ok) throw new Error(`simulator refused ${JSON.stringify(next)}: ${await response.text()}`);
    },
    stats: async () => (await fetch(`${url}/stats`)).json() as Promise<Awaited<ReturnType<Simulator['stats']>>>,
    stop: handle.stop,
  };
}

/** Polls until `check` returns a value (not undefined), or fails with what it last saw. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000, pollMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
