// The reminder fan-out as the stack wires it, without AWS CDK imports (the tests read it too).
//
// The SMS-gateway Lambda subscription filters on the `channel` message attribute that SnsNotifier sets
// (functions/adapters/sns-notifier.ts, publishInput): `sms` for an SMS, `email` for an e-mail. It is the very policy
// planSubscriptions gives the gateway (functions/adapters/sns-subscriptions.ts), so syncSubscriptions, which leaves
// the stack's own subscriptions alone anyway, would find nothing to change on it.
export const SMS_GATEWAY_FILTER_POLICY: Readonly<Record<string, readonly string[]>> = { channel: ['sms'] };

/**
 * How SMS reach staff: `gateway` (default) through the SMS-gateway Lambda subscription to a provider of one's own
 * (the only way in the China regions, and the one that dedupes); `sns` by SNS's own SMS, one subscription per staff
 * phone (regions with SNS SMS). E-mail goes by SNS e-mail subscriptions either way.
 */
export type SmsVia = 'gateway' | 'sns';

/** The secret of the SMS gateway (Secrets Manager) when none is named: `shudi/<stage>/<district>/sms-gateway`. */
export const defaultSmsGatewaySecretName = (stage: string, districtId: string) => `shudi/${stage}/${districtId}/sms-gateway`;
