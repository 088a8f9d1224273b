// What each staff action needs, and turning a filled form into the body of POST /cases/{id}/actions.
import type { ActionBody, Case } from '../api/types';
import type { MessageKey } from '../i18n';

export const formActions = ['acknowledge', 'reject', 'record_outcome', 'reassign', 'escalate', 'cancel'] as const;
export type FormAction = (typeof formActions)[number];

export function isFormAction(a: string): a is FormAction {
  return (formActions as readonly string[]).includes(a);
}

const outcomesByType: Record<string, readonly string[]> = {
  follow_up: ['visited', 'not_reachable', 'moved_away'],
  health_check: ['attended', 'absent', 'exempt'],
  certificate_check: ['valid', 'missing', 'expired'],
  change_report: ['filed'],
};

/** The outcomes record_outcome accepts for the case (a certificate sub-case, apply or renew, closes only as valid). */
export function outcomesFor(c: Pick<Case, 'type' | 'data'> & { state?: string }): readonly string[] {
  if (c.type === 'certificate_check' && (c.data.task === 'apply' || c.data.task === 'renew')) return ['valid'];
  // An application: the community's opinion first, then the street's decision.
  if (c.type === 'application') return c.state === 'awaiting_opinion' ? ['supported', 'not_supported'] : ['approved', 'refused'];
  return outcomesByType[c.type] ?? [];
}

export interface ActionForm {
  reason?: string;
  outcome?: string;
  date?: string;
  toOrgUnitId?: string;
  toCommunityId?: string;
}

export interface FieldError {
  /** The body path, as the API names it: body.reason, body.outcome, … */
  path: string;
  key: MessageKey;
}

const reasonRequired: Partial<Record<FormAction, boolean>> = { reject: true, cancel: true };

/** Checks a form before it is sent; the server checks again and its errors show the same way. */
export function validateAction(action: FormAction, f: ActionForm): FieldError[] {
  const errors: FieldError[] = [];
  const reason = f.reason?.trim() ?? '';
  if (reasonRequired[action] && !reason) errors.push({ path: 'body.reason', key: 'form.reason' });
  if (action === 'record_outcome') {
    if (!f.outcome) errors.push({ path: 'body.outcome', key: 'form.outcomeChoose' });
    if (!f.date || !/^\d{4}-\d{2}-\d{2}$/.test(f.date)) errors.push({ path: 'body.date', key: 'form.date' });
  }
  if (action === 'reassign' && !f.toOrgUnitId) errors.push({ path: 'body.toOrgUnitId', key: 'form.toOrgUnitChoose' });
  return errors;
}

export function actionBody(action: FormAction, f: ActionForm): ActionBody {
  const reason = f.reason?.trim() ?? '';
  switch (action) {
    case 'acknowledge':
      return { action };
    case 'reject':
      return { action, reason };
    case 'cancel':
      return { action, reason };
    case 'escalate':
      return reason ? { action, reason } : { action };
    case 'reassign':
      return { action, toOrgUnitId: f.toOrgUnitId ?? '', ...(reason ? { reason } : {}) };
    case 'record_outcome':
      return {
        action,
        outcome: f.outcome ?? '',
        date: f.date ?? '',
        ...(f.outcome === 'moved_away' && f.toCommunityId ? { toCommunityId: f.toCommunityId } : {}),
      };
  }
}
