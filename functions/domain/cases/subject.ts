// The subject facts a case keeps (class, community, unit), so a follow-on case can be opened from the case alone.
import { subjectClasses, type SubjectClass } from '../people';
import type { Case } from '../case';
import type { SubjectRef } from './commands';
import { clean, invalid, str, type Data, type Rejection } from './decision';

export function subjectData(s: SubjectRef): Data {
  return clean({ subjectClass: s.class, communityId: s.communityId, unitId: s.unitId });
}

export function subjectOf(c: Case): SubjectRef | Rejection {
  const subjectClass = str(c.data, 'subjectClass');
  const communityId = str(c.data, 'communityId');
  if (!c.subjectId || !communityId || !subjectClasses.includes(subjectClass as SubjectClass)) return invalid(`case ${c.caseId} lacks the subject facts a follow-on case needs`);
  const unitId = str(c.data, 'unitId');
  return { subjectId: c.subjectId, class: subjectClass as SubjectClass, communityId, ...(unitId ? { unitId } : {}) };
}
