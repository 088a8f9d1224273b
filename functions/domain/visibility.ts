// Who besides the owner's chain sees a case.
import type { Case } from './case';
import type { Territory } from './territory';

/**
 * A handover that crosses streets (a move, or a unit in one street whose employee lives in another)
 * stays visible to the sending street until it closes, beside the receiving community's street.
 */
export function sendingStreetOf(c: Pick<Case, 'type' | 'ownerStreetId' | 'data'>, territory: Territory): string | undefined {
  if (c.type !== 'handover') return undefined;
  const from = c.data.fromOrgUnitId;
  if (typeof from !== 'string') return undefined;
  const street = territory.streetOf(from);
  return street && street !== c.ownerStreetId ? street : undefined;
}
