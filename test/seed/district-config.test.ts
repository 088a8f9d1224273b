import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { smsSentTemplates, smtpTlsMode } from '../../functions/domain/delivery-config';
import { Territory } from '../../functions/domain/territory';
import { ConfigError, formatConfigError, loadAllDistricts, loadDistrictConfig } from '../../infra/district-config-files';

const DISTRICTS = 'seeds/districts';
const tmp = mkdtempSync(join(tmpdir(), 'shudi-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('chuanhui.json', () => {
  const c = loadDistrictConfig(join(DISTRICTS, 'chuanhui.json'));
  const communities = c.streets.flatMap((s) => s.communities);

  it('is the district of the source document', () => {
    expect(c.id).toBe('chuanhui');
    expect(c.name.zh).toBe('川汇区');
    expect(c.timeZone).toBe('Asia/Shanghai');
    expect(c.register).toMatchObject({ primary: 2288, co_managed: 11669, mobile: 1332 });
    expect(c.register.primary + c.register.co_managed + c.register.mobile).toBe(15289);
    expect(c.calendar.officialYears).toEqual({});
  });

  it('has the five street offices with their names and characters', () => {
    expect(c.streets.map((s) => [s.id, s.name.zh.replace(/街道$/, ''), s.character, s.kind])).toEqual([
      ['xinhua', '新华路', 'urban', 'street'],
      ['yongan', '永安路', 'rural', 'street'],
      ['zijing', '紫荆路', 'rural', 'street'],
      ['dufu', '杜甫路', 'mixed', 'street'],
      ['xiaoyi', '孝义', 'mixed', 'street'],
    ]);
  });

  it('has 24 communities, 通桥路社区 in Xinhua, the urban street the largest', () => {
    expect(communities).toHaveLength(24);
    const xinhua = c.streets.find((s) => s.id === 'xinhua');
    expect(xinhua?.communities.some((x) => x.name.zh === '通桥路社区')).toBe(true);
    const sizes = c.streets.map((s) => s.communities.length);
    expect(Math.max(...sizes)).toBe(xinhua?.communities.length);
    for (const x of communities) {
      expect(x.name.zh).toMatch(/社区$/);
      expect(x.name.en).toMatch(/Community$/);
      expect(x.checkDays.length).toBeGreaterThanOrEqual(3); // mobile subjects: at least 3 checks a year
    }
    // each community publishes its own days
    expect(new Set(communities.map((x) => x.checkDays.join(','))).size).toBe(24);
  });

  it('has 191 units, each in an existing street, most in urban or mixed streets', () => {
    expect(c.units).toHaveLength(191);
    const streetIds = new Set(c.streets.map((s) => s.id));
    for (const u of c.units) expect(streetIds.has(u.streetId)).toBe(true);
    const character = new Map(c.streets.map((s) => [s.id, s.character]));
    const inTown = c.units.filter((u) => character.get(u.streetId) !== 'rural').length;
    expect(inTown / c.units.length).toBeGreaterThan(0.6);
    expect(c.units.some((u) => u.name.zh === '周口市第二中学' && u.name.en === 'Zhoukou No. 2 Middle School')).toBe(true);
  });

  it('has staff at every level with stable ids', () => {
    const byRole = (role: string) => c.staff.filter((s) => s.role === role);
    expect(byRole('district_manager').map((s) => [s.id, s.orgUnitId])).toEqual([['dm-chuanhui', 'chuanhui']]);
    expect(byRole('street_manager').map((s) => s.id).sort()).toEqual(c.streets.map((s) => `sm-${s.id}`).sort());
    for (const s of c.streets) expect(byRole('street_officer').filter((x) => x.orgUnitId === s.id)).toHaveLength(2);
    for (const x of communities) {
      const officers = byRole('community_officer').filter((o) => o.orgUnitId === x.id);
      expect(officers.map((o) => o.id).sort()).toEqual([`co-${x.id}-1`, `co-${x.id}-2`]);
    }
    for (const u of c.units) expect(byRole('unit_liaison').filter((l) => l.orgUnitId === u.id).map((l) => l.id)).toEqual([`ul-${u.id}`]);
    expect(c.staff).toHaveLength(1 + 5 * 3 + 24 * 2 + 191);
    expect(new Set(c.staff.map((s) => s.phone)).size).toBe(c.staff.length);
    for (const s of c.staff) {
      expect(s.phone).toMatch(/^\+861390000\d{4}$/);
      expect(s.email).toMatch(/@example\.cn$/);
    }
  });

  it('builds a territory', () => {
    const t = new Territory(c);
    expect(t.ofKind('street')).toHaveLength(5);
    expect(t.ofKind('community')).toHaveLength(24);
    expect(t.ofKind('unit')).toHaveLength(191);
    expect(t.streetOf('tongqiao')).toBe('xinhua');
  });
});

describe('the small district', () => {
  it('yiling.json loads: two towns, their communities, units, staff and register', () => {
    const y = loadDistrictConfig(join(DISTRICTS, 'yiling.json'));
    expect(y.name.zh).toBe('夷陵区');
    expect(y.streets.map((s) => [s.id, s.kind])).toEqual([
      ['yaqueling', 'town'],
      ['zhangcunping', 'town'],
    ]);
    for (const s of y.streets) expect(s.communities.length).toBeGreaterThanOrEqual(2);
    expect(y.units).toHaveLength(6);
    expect(y.staff.filter((s) => s.role === 'district_manager').map((s) => s.id)).toEqual(['dm-yiling']);
    expect(y.register).toMatchObject({ primary: 120, co_managed: 300, mobile: 60 });
    expect(y.calendar.officialYears).toEqual({});
  });
});

describe('every district file', () => {
  const files = readdirSync(DISTRICTS).filter((f) => f.endsWith('.json'));
  it('there are at least two', () => expect(files.length).toBeGreaterThanOrEqual(2));
  it.each(files)('%s loads and its id is its file name', (f) => {
    expect(loadDistrictConfig(join(DISTRICTS, f)).id).toBe(f.replace(/\.json$/, ''));
  });
  it('loadAllDistricts loads them all, sorted by id', () => {
    const all = loadAllDistricts();
    expect(all.map((d) => d.id)).toEqual(files.map((f) => f.replace(/\.json$/, '')).sort());
  });
});

// ---- malformed configs ----------------------------------------------------------------------

const base = JSON.parse(readFileSync(join(DISTRICTS, 'yiling.json'), 'utf8')) as Record<string, any>;
let n = 0;
/** Writes a mutated copy of yiling.json as <dir>/<name> (the name defaults to the id, so only the defect counts). */
function writeConfig(mutate: (c: Record<string, any>) => void, name = 'yiling.json'): string {
  const c = structuredClone(base);
  mutate(c);
  const dir = join(tmp, `case-${++n}`);
  mkdirSync(dir);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(c, null, 2));
  return file;
}

function configError(file: string): ConfigError {
  try {
    loadDistrictConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`${file} loaded, but it is malformed`);
}

function expectIssue(err: ConfigError, path: string, reason: RegExp) {
  expect(err.message).toContain('yiling.json');
  expect(err.message).toContain(`: ${path}: `);
  const line = err.message.split('\n').find((l) => l.includes(`: ${path}: `)) ?? '';
  expect(line).toMatch(reason);
  expect(err.issues.some((i) => i.path === path && reason.test(i.message) && i.file.endsWith('yiling.json'))).toBe(true);
}

describe('malformed configs throw ConfigError naming file, path and reason', () => {
  it('bad JSON syntax: names the file, line and column', () => {
    const dir = join(tmp, 'syntax');
    mkdirSync(dir);
    const file = join(dir, 'yiling.json');
    writeFileSync(file, '{\n  "id": "yiling",\n  "name": { "zh": "夷陵区" "en": "Yiling" }\n}\n');
    const err = configError(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/JSON syntax error at line 3, column \d+/);
    expect(err.issues).toHaveLength(1);
  });

  it('truncated JSON', () => {
    const dir = join(tmp, 'truncated');
    mkdirSync(dir);
    const file = join(dir, 'yiling.json');
    writeFileSync(file, '{\n  "id": "yiling",\n');
    expect(configError(file).message).toMatch(/yiling\.json.*JSON syntax error/s);
  });

  it('a unit with an unknown streetId', () => {
    const err = configError(writeConfig((c) => (c.units[2].streetId = 'nowhere')));
    expectIssue(err, 'units[2].streetId', /unknown street "nowhere"/);
  });

  it('a duplicate id', () => {
    const err = configError(writeConfig((c) => (c.streets[1].communities[0].id = 'xinjie')));
    expectIssue(err, 'streets[1].communities[0].id', /id "xinjie" is already used/);
  });

  it('a bad check day "13-40"', () => {
    const err = configError(writeConfig((c) => (c.streets[1].communities[0].checkDays[1] = '13-40')));
    expectIssue(err, 'streets[1].communities[0].checkDays[1]', /a check day is MM-DD \(got "13-40"\)/);
  });

  it('a check day that exists in no year, "02-30"', () => {
    const err = configError(writeConfig((c) => (c.streets[0].communities[2].checkDays[0] = '02-30')));
    expectIssue(err, 'streets[0].communities[2].checkDays[0]', /must exist in every year/);
  });

  it('a check day that only leap years have, "02-29"', () => {
    const err = configError(writeConfig((c) => (c.streets[0].communities[1].checkDays[0] = '02-29')));
    expectIssue(err, 'streets[0].communities[1].checkDays[0]', /must exist in every year/);
  });

  it('a check day listed twice in one community', () => {
    const err = configError(writeConfig((c) => (c.streets[0].communities[0].checkDays[1] = c.streets[0].communities[0].checkDays[0])));
    expectIssue(err, 'streets[0].communities[0].checkDays', /listed twice/);
  });

  it('a staff phone not in E.164, without echoing the number', () => {
    const err = configError(writeConfig((c) => (c.staff[4].phone = '139 0001 0005')));
    expectIssue(err, 'staff[4].phone', /E\.164/);
    expect(err.message).not.toContain('139 0001 0005');
  });

  it('a role on the wrong org unit kind', () => {
    const err = configError(writeConfig((c) => (c.staff[0].orgUnitId = 'yaqueling'))); // district manager on a town
    expectIssue(err, 'staff[0].role', /district_manager belongs to a district, but "yaqueling" is a street/);
  });

  it('a missing field', () => {
    const err = configError(writeConfig((c) => delete c.units[1].name));
    expectIssue(err, 'units[1].name', /missing required field/);
  });

  it('an unknown field', () => {
    const err = configError(writeConfig((c) => (c.streets[0].population = 3)));
    expectIssue(err, 'streets[0]', /population/);
  });

  it('an id that is not the file name', () => {
    const err = configError(writeConfig(() => {}, 'xiling.json'));
    expect(err.message).toContain('xiling.json');
    expect(err.issues).toEqual([expect.objectContaining({ path: 'id', message: expect.stringMatching(/"yiling" must equal the file name "xiling"/) })]);
  });

  it('several defects: one line per issue', () => {
    const err = configError(
      writeConfig((c) => {
        c.streets[0].communities[0].checkDays[0] = '3-1';
        c.register.primary = -1;
      }),
    );
    expect(err.issues.map((i) => i.path).sort()).toEqual(['register.primary', 'streets[0].communities[0].checkDays[0]']);
    expect(err.message.split('\n')).toHaveLength(3);
    expect(formatConfigError(err)).toBe(err.message);
  });

  it('a missing file', () => {
    expect(configError(join(tmp, 'absent', 'yiling.json')).message).toMatch(/yiling\.json.*cannot read/s);
  });
});

describe('delivery: SMS providers and the mail server', () => {
  it('chuanhui.json: Aliyun SMS and SMTP; yiling.json: Tencent Cloud SMS and SMTP with STARTTLS; every template sent by SMS is mapped', () => {
    const chuanhui = loadDistrictConfig(join(DISTRICTS, 'chuanhui.json')).delivery;
    const yiling = loadDistrictConfig(join(DISTRICTS, 'yiling.json')).delivery;
    expect([chuanhui.sms.provider, chuanhui.email.provider, yiling.sms.provider, yiling.email.provider]).toEqual(['aliyun', 'smtp', 'tencent', 'smtp']);
    expect(smsSentTemplates().sort()).toEqual(['digest.daily', 'handover.escalated_district', 'handover.overdue']);
    for (const d of [chuanhui, yiling]) {
      if (d.sms.provider === 'sns') throw new Error('expected a provider');
      expect(Object.keys(d.sms.templates).sort()).toEqual(smsSentTemplates().sort());
      expect(d.sms.templates['digest.daily']!.params).toEqual(['date', 'dueToday', 'dueSoon', 'overdue', 'newHandovers', 'updates']);
    }
    if (yiling.email.provider !== 'smtp' || chuanhui.email.provider !== 'smtp') throw new Error('expected smtp');
    expect([smtpTlsMode(chuanhui.email), smtpTlsMode(yiling.email)]).toEqual(['implicit', 'starttls']);
  });

  it('without a delivery section: SNS for both channels, as in the global partition', () => {
    const file = writeConfig((c) => delete c.delivery);
    expect(loadDistrictConfig(file).delivery).toEqual({ sms: { provider: 'sns' }, email: { provider: 'sns' } });
  });

  it('a message template sent by SMS without a mapping is refused at validation, naming it', () => {
    const err = configError(writeConfig((c) => delete c.delivery.sms.templates['handover.overdue']));
    expectIssue(err, 'delivery.sms.templates["handover.overdue"]', /handover\.overdue is sent by SMS but has no mapping.*\(dueDate\)/);
    expect(err.issues).toHaveLength(1);
  });

  it('an SMS provider without a secret name stops validation; so does the mail server', () => {
    expectIssue(configError(writeConfig((c) => delete c.delivery.sms.secretName)), 'delivery.sms.secretName', /missing required field/);
    expectIssue(configError(writeConfig((c) => delete c.delivery.email.secretName)), 'delivery.email.secretName', /missing required field/);
    expectIssue(configError(writeConfig((c) => (c.delivery.sms.secretName = 'has spaces'))), 'delivery.sms.secretName', /Secrets Manager secret name/);
  });

  it('a mapping may carry only the params of its message template: a name or a phone is refused', () => {
    const err = configError(writeConfig((c) => c.delivery.sms.templates['handover.overdue'].params.push('name')));
    expectIssue(err, 'delivery.sms.templates["handover.overdue"].params[1]', /has no param "name"; an SMS may carry only dueDate/);
    const dup = configError(writeConfig((c) => c.delivery.sms.templates['digest.daily'].params.push('date')));
    expectIssue(dup, 'delivery.sms.templates["digest.daily"].params[6]', /listed twice/);
    // The link is fixed in the approved template text (providers refuse URLs as variables), never a param.
    expectIssue(configError(writeConfig((c) => c.delivery.sms.templates['digest.daily'].params.push('link'))), 'delivery.sms.templates["digest.daily"].params[6]', /has no param "link"/);
  });

  it('a mapping for a template that does not exist, a bad template code, an unknown provider', () => {
    expectIssue(configError(writeConfig((c) => (c.delivery.sms.templates['handover.lost'] = { code: '1', params: [] }))), 'delivery.sms.templates["handover.lost"]', /no message template "handover.lost"/);
    expectIssue(configError(writeConfig((c) => (c.delivery.sms.templates['handover.overdue'].code = 'SMS 1'))), 'delivery.sms.templates["handover.overdue"].code', /template code/);
    expectIssue(configError(writeConfig((c) => (c.delivery.sms.provider = 'twilio'))), 'delivery.sms.provider', /aliyun|tencent|sns/);
  });

  it('a sign name that says something about health is refused (it heads every SMS)', () => {
    expectIssue(configError(writeConfig((c) => (c.delivery.sms.signName = '夷陵区卫健局'))), 'delivery.sms.signName', /say nothing about health/);
    expectIssue(configError(writeConfig((c) => (c.delivery.sms.signName = '【夷陵区】'))), 'delivery.sms.signName', /without 【】/);
  });

  it('SMTP: TLS cannot be switched off; host, port and sender are checked', () => {
    expectIssue(configError(writeConfig((c) => (c.delivery.email.tls = 'none'))), 'delivery.email.tls', /implicit|starttls/);
    expectIssue(configError(writeConfig((c) => (c.delivery.email.port = 70000))), 'delivery.email.port', /65535|too big|less than/i);
    expectIssue(configError(writeConfig((c) => (c.delivery.email.from = 'not-an-address'))), 'delivery.email.from', /email/i);
  });
});
