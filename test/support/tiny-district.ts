// A small district for workflow tests: two streets, three communities, two units, a register of 13, two application codes.
import { districtConfig, type DistrictConfig } from '../../functions/domain/district-config';

const staff = (id: string, role: string, orgUnitId: string, n: number) => ({
  id,
  name: `Staff ${id}`,
  role,
  orgUnitId,
  phone: `+86139000${String(n).padStart(5, '0')}`,
  email: `${id}@example.cn`,
});

export const tinyDistrict: DistrictConfig = districtConfig.parse({
  id: 'tiny',
  name: { zh: '小区', en: 'Tiny District' },
  streets: [
    {
      id: 'east',
      name: { zh: '东街道', en: 'East Street' },
      character: 'urban',
      communities: [
        { id: 'east-a', name: { zh: '东甲社区', en: 'East A' }, checkDays: ['03-10', '07-10', '11-10'] },
        { id: 'east-b', name: { zh: '东乙社区', en: 'East B' }, checkDays: ['03-12', '07-12', '11-12'] },
      ],
    },
    {
      id: 'west',
      name: { zh: '西镇', en: 'West Town' },
      kind: 'town',
      character: 'rural',
      communities: [{ id: 'west-a', name: { zh: '西甲社区', en: 'West A' }, checkDays: ['04-15', '08-15', '12-15'] }],
    },
  ],
  units: [
    { id: 'east-school', name: { zh: '东街小学', en: 'East School' }, streetId: 'east' },
    { id: 'west-mill', name: { zh: '西镇面粉厂', en: 'West Mill' }, streetId: 'west' },
  ],
  staff: [
    staff('dm-tiny', 'district_manager', 'tiny', 1),
    staff('sm-east', 'street_manager', 'east', 2),
    staff('so-east-1', 'street_officer', 'east', 3),
    staff('sm-west', 'street_manager', 'west', 4),
    staff('so-west-1', 'street_officer', 'west', 5),
    staff('co-east-a-1', 'community_officer', 'east-a', 6),
    staff('co-east-a-2', 'community_officer', 'east-a', 7),
    staff('co-east-b-1', 'community_officer', 'east-b', 8),
    staff('co-west-a-1', 'community_officer', 'west-a', 9),
    staff('ul-east-school', 'unit_liaison', 'east-school', 10),
    staff('ul-west-mill', 'unit_liaison', 'west-mill', 11),
  ],
  register: { primary: 4, co_managed: 6, mobile: 3, implantShare: 0, seed: 3 },
  // What a community may receive an application for (the dashboard's form lists them).
  applications: [
    { code: 'birth_service_registration', name: { zh: '生育服务登记', en: 'Birth service registration' } },
    { code: 'one_child_certificate', name: { zh: '独生子女父母光荣证', en: "One-child parents' certificate" } },
  ],
});
