import type { CarposWireTransaction, DojAnswer } from './carpos-transaction';

/**
 * The way to DOJ (DESIGN §7). The simulator is reached through `HttpDojGateway`; a real CLETS
 * connection is another adapter behind the same port.
 */
export interface DojGateway {
  /** DOJ's answer; throws DojUnavailableError when DOJ could not be reached or did not answer in time (retry later). */
  send(transaction: CarposWireTransaction): Promise<DojAnswer>;
}

/** Transient: the transaction may or may not have reached DOJ; resending the same TCN is safe. */
export class DojUnavailableError extends Error {}

export class HttpDojGateway implements DojGateway {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async send(transaction: CarposWireTransaction): Promise<DojAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/carpos/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(transaction),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new DojUnavailableError(`DOJ unreachable: ${(error as Error).message}`);
    }
    if (response.status !== 200) throw new DojUnavailableError(`DOJ answered HTTP ${response.status}`);
    const answer = (await response.json().catch(() => undefined)) as DojAnswer | undefined;
    if (!answer || answer.tcn !== transaction.tcn || (answer.status !== 'ACCEPTED' && answer.status !== 'REJECTED')) {
      throw new DojUnavailableError(`DOJ's answer does not belong to TCN ${transaction.tcn}`);
    }
    return answer;
  }
}
