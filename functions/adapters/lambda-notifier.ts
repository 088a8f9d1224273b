// The publisher's side of the deliverMessage Lambda: one synchronous invocation per message, so the provider's
// answer comes back to the publisher and is written to the outbox item. The provider SDKs, SMTP and their secrets
// live in that function alone; the publisher only may invoke it. A function error or a `retry` answer is a
// TransientDeliveryError: the item is released with back-off and stays in the outbox.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { TransientDeliveryError, type DeliveryResult, type Notifier, type OutboundMessage } from './notifier';

/** What deliverMessage answers: the outcome, or a reason to try again later (never an address). */
export type DeliverAnswer = DeliveryResult | { status: 'retry'; reason: string };

export class LambdaNotifier implements Notifier {
  constructor(
    private readonly lambda: Pick<LambdaClient, 'send'>,
    private readonly functionName: string,
  ) {}

  async send(message: OutboundMessage): Promise<DeliveryResult> {
    let out;
    try {
      out = await this.lambda.send(new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify({ message })) }));
    } catch (err) {
      throw new TransientDeliveryError(`deliverMessage could not be invoked: ${(err as Error).name}`, { cause: err });
    }
    if (out.FunctionError) throw new TransientDeliveryError(`deliverMessage failed: ${out.FunctionError}`);
    let answer: DeliverAnswer;
    try {
      answer = JSON.parse(new TextDecoder().decode(out.Payload)) as DeliverAnswer;
    } catch {
      throw new TransientDeliveryError('deliverMessage answered something that is not JSON');
    }
    if (answer.status === 'retry') throw new TransientDeliveryError(`deliverMessage: ${answer.reason}`);
    if (!['sent', 'duplicate', 'undeliverable', 'rejected'].includes(answer.status)) throw new TransientDeliveryError('deliverMessage answered an unknown status');
    return answer;
  }
}
