import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { z } from 'zod';
import { DojOrderFile } from './doj-order-file';

/**
 * The DOJ simulator's HTTP face (docs/carpos.md): the wire protocol the gateway adapter speaks,
 * plus faults an operator or a test dials in — latency, an error rate, requests that never get
 * an answer, answers lost after DOJ applied the transaction, and outage windows.
 */

export const FaultsSchema = z.object({
  latencyMs: z.number().int().min(0).max(600_000).default(0),
  /** Share of transactions answered 500 without being applied. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Share of transactions never answered (the client's timeout fires); not applied. */
  timeoutRate: z.number().min(0).max(1).default(0),
  /** Share applied but whose answer is lost (the connection drops): the gateway must retry the same TCN. */
  lostAnswerRate: z.number().min(0).max(1).default(0),
  /** Down now (503 to everything) … */
  outage: z.boolean().default(false),
  /** … or during these windows. */
  outageWindows: z.array(z.object({ from: z.iso.datetime(), to: z.iso.datetime() })).default([]),
});
export type Faults = z.infer<typeof FaultsSchema>;

const MAX_BODY = 1_000_000;

export class DojSimulator {
  readonly file = new DojOrderFile();
  private faults: Faults;
  private server?: Server;
  private readonly hanging = new Set<ServerResponse>();

  constructor(faults: Partial<Faults> = {}, private readonly random: () => number = Math.random) {
    this.faults = FaultsSchema.parse(faults);
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: Error) => send(response, 500, { error: error.message }));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const route = `${request.method} ${request.url}`;
    if (route === 'GET /health') return send(response, 200, { ok: true });
    if (route === 'GET /stats') return send(response, 200, { received: this.file.received, applied: this.file.applied, faults: this.faults });
    if (route === 'POST /control') {
      // Merged before parsing: the settings not named stay as they are.
      const parsed = FaultsSchema.safeParse({ ...this.faults, ...JSON.parse((await body(request)) || '{}') });
      if (!parsed.success) return send(response, 400, { error: parsed.error.message });
      this.faults = parsed.data;
      return send(response, 200, this.faults);
    }
    if (route !== 'POST /carpos/transactions') return send(response, 404, { error: `no route ${route}` });

    const raw = await body(request);
    if (this.down()) return send(response, 503, { error: 'CARPOS is unavailable (outage)' });
    if (this.faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.faults.latencyMs));
    if (this.random() < this.faults.timeoutRate) {
      this.hanging.add(response);
      response.on('close', () => this.hanging.delete(response));
      return;
    }
    if (this.random() < this.faults.errorRate) return send(response, 500, { error: 'CARPOS internal error' });
    const answer = this.file.process(raw);
    if (this.random() < this.faults.lostAnswerRate) {
      response.destroy();
      return;
    }
    send(response, 200, answer);
  }

  private down(): boolean {
    const now = Date.now();
    return this.faults.outage || this.faults.outageWindows.some(({ from, to }) => Date.parse(from) <= now && now < Date.parse(to));
  }
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('transaction too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
