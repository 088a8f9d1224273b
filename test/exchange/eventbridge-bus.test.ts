// The EventBridge adapter, on a mocked client (there is no local EventBridge): the exact PutEvents requests, batches
// of ten, and entries the bus did not take reported back for a re-send.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeBus } from '../../functions/adapters/eventbridge-bus';
import { envelope, makeEnvelope, type Envelope } from '../../functions/domain/exchange';

const eb = mockClient(EventBridgeClient);
beforeEach(() => eb.reset());

const request = (i: number): Envelope =>
  makeEnvelope('verification_request', '411602', '420506', `cc-${i}.origin`, '2026-03-02T02:00:00.000Z', { caseId: `cc-${i}.origin`, subjectRef: `s-${i}`, registeredOn: '2026-03-01', answerBy: '2026-04-01' });

describe('EventBridgeBus', () => {
  it('puts each message on the district’s own bus with its source, type and the envelope as detail', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const bus = new EventBridgeBus(new EventBridgeClient({ region: 'cn-north-1' }), 'shudi-exchange');
    const m = request(1);
    expect(await bus.send([m])).toEqual({ failed: [] });
    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Entries: [{ EventBusName: 'shudi-exchange', Source: 'shudi.district.411602', DetailType: 'verification_request', Detail: JSON.stringify(m) }],
    });
    // The detail is the envelope as the receiver validates it.
    expect(envelope.parse(JSON.parse(calls[0]!.args[0].input.Entries![0]!.Detail!))).toEqual(m);
  });

  it('sends 25 messages as 10 + 10 + 5 and reports the entries the bus refused', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) => (i === 3 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e-${i}` })),
    }));
    const bus = new EventBridgeBus(new EventBridgeClient({ region: 'cn-north-1' }), 'shudi-exchange');
    const messages = Array.from({ length: 25 }, (_, i) => request(i));
    const { failed } = await bus.send(messages);
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 5]);
    expect(failed).toEqual([3, 13, 23].map((i) => ({ messageId: messages[i]!.messageId, reason: 'ThrottlingException' })));
  });

  it('reports a whole batch as not taken when the call fails', async () => {
    eb.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'InternalException' }));
    const bus = new EventBridgeBus(new EventBridgeClient({ region: 'cn-north-1' }), 'shudi-exchange');
    const { failed } = await bus.send([request(1), request(2)]);
    expect(failed.map((f) => f.reason)).toEqual(['InternalException', 'InternalException']);
  });
});
