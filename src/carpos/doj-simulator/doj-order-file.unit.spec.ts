import { fullOrderData } from '../../orders/order.fixtures.spec';
import { wireOrder } from '../carpos-transaction';
import { DojOrderFile } from './doj-order-file';

const ORI = 'CA019015J';
const enter = (tcn: string, order = wireOrder(fullOrderData())) => JSON.stringify({ tcn, type: 'ENTER', ori: ORI, order });

describe('the simulated DOJ order file', () => {
  it('accepts an ENTER with a 13-digit FCN prefixed by the agency code', () => {
    const answer = new DojOrderFile().process(enter('T1'));
    expect(answer).toMatchObject({ tcn: 'T1', status: 'ACCEPTED' });
    expect(answer.status === 'ACCEPTED' && answer.fcn).toMatch(/^019\d{10}$/);
  });

  it('answers a repeated TCN with its first answer and applies it once', () => {
    const file = new DojOrderFile();
    const first = file.process(enter('T1'));
    expect(file.process(enter('T1'))).toEqual(first);
    expect(file.applied).toHaveLength(1);
    expect(file.received).toBe(2);
  });

  it('REJECT ON FILE for a second entry of the same agency, restrained person, date of birth and case', () => {
    const file = new DojOrderFile();
    file.process(enter('T1'));
    expect(file.process(enter('T2'))).toMatchObject({ status: 'REJECTED', code: 'REJECT ON FILE' });
    const otherCase = { ...wireOrder(fullOrderData()), caseNumber: 'FL-OTHER' };
    expect(file.process(enter('T3', otherCase))).toMatchObject({ status: 'ACCEPTED' });
  });

  it('NOT ON FILE for an unknown FCN, another agency’s FCN, and after a CANCEL', () => {
    const file = new DojOrderFile();
    const entered = file.process(enter('T1'));
    const fcn = entered.status === 'ACCEPTED' ? entered.fcn : '';
    const cancel = (tcn: string, f: string, ori = ORI) => JSON.stringify({ tcn, type: 'CANCEL', ori, fcn: f, cancellation: { reason: 'SUPERSEDED' } });
    expect(file.process(cancel('T2', '0190000009999'))).toMatchObject({ code: 'NOT ON FILE' });
    expect(file.process(cancel('T3', fcn, 'CA020015J'))).toMatchObject({ code: 'NOT ON FILE' });
    expect(file.process(cancel('T4', fcn))).toMatchObject({ status: 'ACCEPTED', fcn });
    expect(file.process(JSON.stringify({ tcn: 'T5', type: 'MODIFY', ori: ORI, fcn, order: wireOrder(fullOrderData()) }))).toMatchObject({ code: 'NOT ON FILE' });
  });

  it('validates required fields and codes, naming the field, and echoes the first 100 characters', () => {
    const file = new DojOrderFile();
    const order = wireOrder(fullOrderData());
    const raw = enter('T1', { ...order, restrained: { ...order.restrained, race: 'X' } });
    const answer = file.process(raw);
    expect(answer).toMatchObject({ status: 'REJECTED', code: 'INVALID FIELD', message: expect.stringMatching(/^order\.restrained\.race: /) });
    expect(answer.status === 'REJECTED' && answer.echo).toBe(raw.slice(0, 100));
    const { dateOfBirth: _, ...noDob } = order.restrained;
    expect(file.process(enter('T2', { ...order, restrained: noDob }))).toMatchObject({ message: expect.stringMatching(/^order\.restrained\.dateOfBirth: /) });
    expect(file.process(enter('T3', { ...order, expirationDate: '2000-01-01' }))).toMatchObject({ message: expect.stringMatching(/^order\.expirationDate: /) });
    expect(file.process('{"tcn":"T4","type":"PURGE"}')).toMatchObject({ code: 'INVALID TRANSACTION' });
    expect(file.process('not json')).toMatchObject({ code: 'FORMAT' });
  });
});
