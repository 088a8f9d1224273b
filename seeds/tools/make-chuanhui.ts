// One-off, deterministic maker of seeds/districts/chuanhui.json (川汇区, Zhoukou, Henan).
// The committed JSON is the source of truth; this script only documents how it was made.
// Run: npx tsx seeds/tools/make-chuanhui.ts  (same output every run: a seeded RNG, no clock).
//
// From the source document: 5 street offices (新华路 urban; 永安路, 紫荆路 rural; 杜甫路, 孝义 mixed),
// 24 community committees (通桥路社区 in 新华路 is named there; the others are invented),
// 191 public units (names invented but plausible), register 2,288 / 11,669 / 1,332 = 15,289.
// Staff, names, phones (+86 139 0000 xxxx) and e-mails (@example.cn) are synthetic.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { districtConfig, type DistrictConfigInput } from '../../functions/domain/district-config';

const rng = seedrandom('chuanhui-seed-v1');
const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
const round1 = (n: number) => Math.round(n * 10) / 10;
const between = (lo: number, hi: number) => round1(lo + rng() * (hi - lo));

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

const zhNumerals = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五'];
const zhNum = (n: number) => zhNumerals[n] ?? String(n);

// ---- streets and communities -------------------------------------------------------------

type Character = 'urban' | 'rural' | 'mixed';
interface StreetSpec {
  id: string;
  zh: string;
  en: string;
  character: Character;
  communities: [id: string, zh: string, en: string][];
}

const streets: StreetSpec[] = [
  {
    id: 'xinhua',
    zh: '新华路街道',
    en: 'Xinhua Road Street Office',
    character: 'urban',
    communities: [
      ['tongqiao', '通桥路社区', 'Tongqiao Road Community'],
      ['qiyi', '七一路社区', 'Qiyi Road Community'],
      ['bayi', '八一路社区', 'Bayi Road Community'],
      ['renmin', '人民路社区', 'Renmin Road Community'],
      ['jiaotong', '交通路社区', 'Jiaotong Road Community'],
      ['zhongzhou', '中州路社区', 'Zhongzhou Road Community'],
      ['wenchang', '文昌社区', 'Wenchang Community'],
    ],
  },
  {
    id: 'yongan',
    zh: '永安路街道',
    en: "Yong'an Road Street Office",
    character: 'rural',
    communities: [
      ['xuwan', '许湾社区', 'Xuwan Community'],
      ['taihao', '太昊社区', 'Taihao Community'],
      ['liji', '李集社区', 'Liji Community'],
    ],
  },
  {
    id: 'zijing',
    zh: '紫荆路街道',
    en: 'Zijing Road Street Office',
    character: 'rural',
    communities: [
      ['yinghe', '颍河社区', 'Yinghe Community'],
      ['hehua', '荷花社区', 'Hehua Community'],
      ['shabei', '沙北社区', 'Shabei Community'],
    ],
  },
  {
    id: 'dufu',
    zh: '杜甫路街道',
    en: 'Dufu Road Street Office',
    character: 'mixed',
    communities: [
      ['gongnong', '工农路社区', 'Gongnong Road Community'],
      ['daqing', '大庆路社区', 'Daqing Road Community'],
      ['jianshe', '建设路社区', 'Jianshe Road Community'],
      ['hanyang', '汉阳路社区', 'Hanyang Road Community'],
      ['qingfeng', '庆丰社区', 'Qingfeng Community'],
      ['nanhu', '南湖社区', 'Nanhu Community'],
    ],
  },
  {
    id: 'xiaoyi',
    zh: '孝义街道',
    en: 'Xiaoyi Street Office',
    character: 'mixed',
    communities: [
      ['heping', '和平路社区', 'Heping Road Community'],
      ['yuying', '育英社区', 'Yuying Community'],
      ['guangming', '光明社区', 'Guangming Community'],
      ['dongxin', '东新社区', 'Dongxin Community'],
      ['chengnan', '城南社区', 'Chengnan Community'],
    ],
  },
];

// Three fixed check days a year per community, each community its own: 4 month patterns × 6 days.
const monthPatterns = [
  ['03', '07', '11'],
  ['02', '06', '10'],
  ['04', '08', '12'],
  ['01', '05', '09'],
] as const;
const checkDayOfMonth = ['06', '10', '14', '18', '22', '26'] as const;
const communityWeight: Record<Character, [number, number]> = { urban: [1.2, 1.6], mixed: [0.9, 1.2], rural: [0.6, 0.8] };

let communityIndex = 0;
const streetConfigs = streets.map((s) => ({
  id: s.id,
  name: { zh: s.zh, en: s.en },
  kind: 'street' as const,
  character: s.character,
  communities: s.communities.map(([id, zh, en]) => {
    const k = communityIndex++;
    const months = monthPatterns[k % 4] ?? monthPatterns[0];
    const day = checkDayOfMonth[Math.floor(k / 4)] ?? '15';
    const [lo, hi] = communityWeight[s.character];
    return { id, name: { zh, en }, checkDays: months.map((m) => `${m}-${day}`), weight: between(lo, hi) };
  }),
}));

// ---- units ---------------------------------------------------------------------------------

type UnitKind = 'agency' | 'institution' | 'school' | 'health' | 'bank' | 'enterprise';
interface UnitSpec {
  id: string;
  zh: string;
  en: string;
  kind: UnitKind;
  streetId?: string;
}

const units: UnitSpec[] = [];
const add = (kind: UnitKind, id: string, zh: string, en: string, streetId?: string) =>
  units.push(streetId ? { id, zh, en, kind, streetId } : { id, zh, en, kind });

const cityBureaus: [string, string, string][] = [
  ['finance', '财政局', 'Finance Bureau'],
  ['education', '教育局', 'Education Bureau'],
  ['civil-affairs', '民政局', 'Civil Affairs Bureau'],
  ['hrss', '人力资源和社会保障局', 'Human Resources and Social Security Bureau'],
  ['housing', '住房和城乡建设局', 'Housing and Urban-Rural Development Bureau'],
  ['health', '卫生健康委员会', 'Health Commission'],
  ['market', '市场监督管理局', 'Market Supervision Administration'],
  ['audit', '审计局', 'Audit Bureau'],
  ['statistics', '统计局', 'Statistics Bureau'],
  ['justice', '司法局', 'Justice Bureau'],
  ['culture', '文化广电和旅游局', 'Culture, Radio, Television and Tourism Bureau'],
  ['agriculture', '农业农村局', 'Agriculture and Rural Affairs Bureau'],
  ['water', '水利局', 'Water Resources Bureau'],
  ['transport', '交通运输局', 'Transport Bureau'],
  ['commerce', '商务局', 'Commerce Bureau'],
  ['natural-resources', '自然资源和规划局', 'Natural Resources and Planning Bureau'],
  ['ecology', '生态环境局', 'Ecology and Environment Bureau'],
  ['emergency', '应急管理局', 'Emergency Management Bureau'],
  ['veterans', '退役军人事务局', 'Veterans Affairs Bureau'],
  ['urban-management', '城市管理局', 'Urban Management Bureau'],
];
for (const [id, zh, en] of cityBureaus) add('agency', `zk-${id}`, `周口市${zh}`, `Zhoukou Municipal ${en}`);

const districtBureaus: [string, string, string][] = [
  ['taxation', '税务局', 'Taxation Bureau'],
  ['finance', '财政局', 'Finance Bureau'],
  ['education', '教育体育局', 'Education and Sports Bureau'],
  ['civil-affairs', '民政局', 'Civil Affairs Bureau'],
  ['hrss', '人力资源和社会保障局', 'Human Resources and Social Security Bureau'],
  ['health', '卫生健康委员会', 'Health Commission'],
  ['market', '市场监督管理局', 'Market Supervision Administration'],
  ['audit', '审计局', 'Audit Bureau'],
  ['statistics', '统计局', 'Statistics Bureau'],
  ['justice', '司法局', 'Justice Bureau'],
  ['culture', '文化广电和旅游局', 'Culture, Radio, Television and Tourism Bureau'],
  ['agriculture', '农业农村局', 'Agriculture and Rural Affairs Bureau'],
  ['housing', '住房和城乡建设局', 'Housing and Urban-Rural Development Bureau'],
  ['commerce', '商务局', 'Commerce Bureau'],
  ['emergency', '应急管理局', 'Emergency Management Bureau'],
  ['veterans', '退役军人事务局', 'Veterans Affairs Bureau'],
  ['archives', '档案馆', 'Archives'],
  ['trade-unions', '总工会', 'Federation of Trade Unions'],
  ['womens-federation', '妇女联合会', "Women's Federation"],
  ['youth-league', '团委', 'Communist Youth League Committee'],
  ['court', '人民法院', "People's Court"],
  ['procuratorate', '人民检察院', "People's Procuratorate"],
  ['police', '公安分局', 'Public Security Sub-bureau'],
  ['government-office', '人民政府办公室', "People's Government Office"],
];
for (const [id, zh, en] of districtBureaus) add('agency', `ch-${id}`, `川汇区${zh}`, `Chuanhui District ${en}`);

for (let n = 1; n <= 10; n++) add('school', `zk-middle-school-${n}`, `周口市第${zhNum(n)}中学`, `Zhoukou No. ${n} Middle School`);
for (let n = 1; n <= 14; n++) add('school', `ch-primary-school-${n}`, `川汇区第${zhNum(n)}小学`, `Chuanhui District No. ${n} Primary School`);
for (let n = 1; n <= 6; n++) add('school', `ch-kindergarten-${n}`, `川汇区第${zhNum(n)}幼儿园`, `Chuanhui District No. ${n} Kindergarten`);

add('health', 'zk-central-hospital', '周口市中心医院', 'Zhoukou Central Hospital');
add('health', 'zk-tcm-hospital', '周口市中医院', 'Zhoukou Hospital of Traditional Chinese Medicine');
add('health', 'zk-maternal-child-hospital', '周口市妇幼保健院', 'Zhoukou Maternal and Child Health Hospital');
add('health', 'zk-second-peoples-hospital', '周口市第二人民医院', "Zhoukou No. 2 People's Hospital");
add('health', 'ch-peoples-hospital', '川汇区人民医院', "Chuanhui District People's Hospital");
add('health', 'ch-cdc', '川汇区疾病预防控制中心', 'Chuanhui District Center for Disease Control and Prevention');
for (const s of streets) add('health', `${s.id}-health-center`, `${s.zh}社区卫生服务中心`, `${s.en.replace(' Street Office', '')} Community Health Service Center`, s.id);

const institutions: [string, string, string][] = [
  ['zk-daily', '周口日报社', 'Zhoukou Daily'],
  ['zk-broadcasting', '周口广播电视台', 'Zhoukou Radio and Television Station'],
  ['zk-library', '周口市图书馆', 'Zhoukou Library'],
  ['zk-museum', '周口市博物馆', 'Zhoukou Museum'],
  ['zk-sports-center', '周口市体育中心', 'Zhoukou Sports Center'],
  ['zk-vocational-college', '周口职业技术学院', 'Zhoukou Vocational and Technical College'],
  ['zk-meteorological', '周口市气象局', 'Zhoukou Meteorological Bureau'],
  ['zk-parks', '周口市园林绿化中心', 'Zhoukou Parks and Greening Center'],
  ['zk-sanitation', '周口市环境卫生管理处', 'Zhoukou Sanitation Administration'],
  ['zk-power-supply', '周口供电公司', 'Zhoukou Power Supply Company'],
  ['zk-water-supply', '周口市自来水公司', 'Zhoukou Water Supply Company'],
  ['zk-gas', '周口市燃气公司', 'Zhoukou Gas Company'],
  ['zk-bus', '周口市公共交通公司', 'Zhoukou Public Transport Company'],
  ['zk-coach-station', '周口市长途汽车站', 'Zhoukou Long-distance Bus Station'],
];
for (const [id, zh, en] of institutions) add('institution', id, zh, en);

const banks: [string, string, string][] = [
  ['zk-rural-commercial-bank', '周口农村商业银行川汇支行', 'Zhoukou Rural Commercial Bank, Chuanhui Sub-branch'],
  ['zk-city-credit-union', '周口市城区信用合作联社', 'Zhoukou Urban Credit Cooperative Union'],
  ['zk-postal-savings', '周口邮政储蓄川汇支行', 'Zhoukou Postal Savings, Chuanhui Sub-branch'],
  ['zk-post', '周口市邮政分公司', 'Zhoukou Postal Branch Company'],
  ['zk-insurance', '周口市人寿保险支公司', 'Zhoukou Life Insurance Sub-company'],
  ['zk-housing-fund', '周口市住房公积金管理中心', 'Zhoukou Housing Provident Fund Center'],
];
for (const [id, zh, en] of banks) add('bank', id, zh, en);

const brandNames: [string, string, string][] = [
  ['yinghe', '颍河', 'Yinghe'],
  ['shaying', '沙颍', 'Shaying'],
  ['huayuan', '华源', 'Huayuan'],
  ['longdu', '龙都', 'Longdu'],
  ['jinfeng', '金丰', 'Jinfeng'],
  ['yudong', '豫东', 'Yudong'],
  ['sanchuan', '三川', 'Sanchuan'],
  ['zhoushang', '周商', 'Zhoushang'],
  ['xinyuan', '鑫源', 'Xinyuan'],
  ['tianhe', '天和', 'Tianhe'],
  ['hengtong', '恒通', 'Hengtong'],
  ['hongda', '宏达', 'Hongda'],
  ['fuxi', '伏羲', 'Fuxi'],
  ['ruixiang', '瑞祥', 'Ruixiang'],
  ['jiahe', '嘉禾', 'Jiahe'],
];
const industries: [string, string, string][] = [
  ['textile', '纺织', 'Textile'],
  ['food', '食品', 'Food'],
  ['building-materials', '建材', 'Building Materials'],
  ['logistics', '物流', 'Logistics'],
  ['machinery', '机械', 'Machinery'],
  ['trading', '商贸', 'Trading'],
  ['printing', '印刷', 'Printing'],
  ['pharma', '医药', 'Pharmaceutical'],
  ['garment', '服装', 'Garment'],
  ['electronics', '电子', 'Electronics'],
];
const enterpriseCount = 191 - units.length;
const combos = shuffle(brandNames.flatMap((b) => industries.map((i) => [b, i] as const))).slice(0, enterpriseCount);
for (const [[bid, bzh, ben], [iid, izh, ien]] of combos)
  add('enterprise', `${bid}-${iid}`, `周口市${bzh}${izh}有限公司`, `Zhoukou ${ben} ${ien} Co., Ltd.`);

if (units.length !== 191) throw new Error(`expected 191 units, made ${units.length}`);

// Streets: the urban street holds most units (agencies and institutions lean urban), the rural ones
// mostly enterprises. Fixed targets, filled by a seeded score.
const unitTargets: Record<string, number> = { xinhua: 78, dufu: 42, xiaoyi: 37, yongan: 17, zijing: 17 };
const urbanBias: Record<UnitKind, number> = { agency: 0.7, institution: 0.4, bank: 0.5, health: 0.3, school: 0.1, enterprise: -0.3 };
for (const u of units) if (u.streetId) unitTargets[u.streetId] = (unitTargets[u.streetId] ?? 0) - 1;
const free = units
  .filter((u) => !u.streetId)
  .map((u) => ({ u, score: rng() + urbanBias[u.kind] }))
  .sort((a, b) => b.score - a.score)
  .map((x) => x.u);
const take = (n: number) => free.splice(0, n);
for (const u of take(unitTargets.xinhua ?? 0)) u.streetId = 'xinhua';
const mixed = shuffle(take((unitTargets.dufu ?? 0) + (unitTargets.xiaoyi ?? 0)));
mixed.forEach((u, i) => (u.streetId = i < (unitTargets.dufu ?? 0) ? 'dufu' : 'xiaoyi'));
const rural = shuffle(free.splice(0));
rural.forEach((u, i) => (u.streetId = i < (unitTargets.yongan ?? 0) ? 'yongan' : 'zijing'));

const unitWeight: Record<UnitKind, [number, number]> = {
  agency: [0.8, 2.2],
  institution: [0.8, 2],
  bank: [0.8, 1.6],
  health: [2.5, 6],
  school: [1, 3],
  enterprise: [0.5, 3.5],
};
const streetOrder = streets.map((s) => s.id);
const kindOrder: UnitKind[] = ['agency', 'institution', 'health', 'school', 'bank', 'enterprise'];
const unitConfigs = units
  .map((u) => ({ u, weight: between(...unitWeight[u.kind]) }))
  .sort(
    (a, b) =>
      streetOrder.indexOf(a.u.streetId ?? '') - streetOrder.indexOf(b.u.streetId ?? '') ||
      kindOrder.indexOf(a.u.kind) - kindOrder.indexOf(b.u.kind) ||
      units.indexOf(a.u) - units.indexOf(b.u),
  )
  .map(({ u, weight }) => ({ id: u.id, name: { zh: u.zh, en: u.en }, streetId: u.streetId ?? '', weight }));

// ---- staff ---------------------------------------------------------------------------------

const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '宋', '谢', '韩'];
const givenNames = ['丽', '娟', '敏', '静', '芳', '霞', '红', '艳', '玲', '丹', '萍', '燕', '慧', '颖', '婷', '晶', '秀英', '桂兰', '海燕', '春梅', '建华', '志强', '国庆', '伟', '磊', '军', '秀兰', '雪梅', '晓燕', '玉珍'];
let phoneSerial = 0;
const staff: DistrictConfigInput['staff'] = [];
function addStaff(id: string, role: DistrictConfigInput['staff'][number]['role'], orgUnitId: string, channel: 'sms' | 'email' | 'both') {
  phoneSerial += 1;
  staff.push({
    id,
    name: pick(surnames) + pick(givenNames),
    role,
    orgUnitId,
    phone: `+86139${String(phoneSerial).padStart(8, '0')}`,
    email: `${id}@example.cn`,
    channel,
    language: 'zh-CN',
  });
}
addStaff('dm-chuanhui', 'district_manager', 'chuanhui', 'both');
for (const s of streetConfigs) {
  addStaff(`sm-${s.id}`, 'street_manager', s.id, 'both');
  addStaff(`so-${s.id}-1`, 'street_officer', s.id, 'sms');
  addStaff(`so-${s.id}-2`, 'street_officer', s.id, 'sms');
}
for (const s of streetConfigs)
  for (const c of s.communities) {
    addStaff(`co-${c.id}-1`, 'community_officer', c.id, 'sms');
    addStaff(`co-${c.id}-2`, 'community_officer', c.id, 'sms');
  }
for (const u of unitConfigs) addStaff(`ul-${u.id}`, 'unit_liaison', u.id, rng() < 0.3 ? 'email' : 'sms');

// ---- the config ----------------------------------------------------------------------------

const config: DistrictConfigInput = {
  id: 'chuanhui',
  name: { zh: '川汇区', en: 'Chuanhui District' },
  timeZone: 'Asia/Shanghai',
  streets: streetConfigs,
  units: unitConfigs,
  staff,
  // 2003 re-registration (source document): 15,289 files.
  register: { primary: 2288, co_managed: 11669, mobile: 1332, implantShare: 0.04, seed: 20030901 },
  // Reminders leave by Alibaba Cloud SMS (approved signature and templates) and the district's mail server; the
  // credentials are in Secrets Manager under these names (docs/reminders.md).
  delivery: {
    sms: {
      provider: 'aliyun',
      signName: '川汇区政务',
      secretName: 'shudi/prod/chuanhui/sms-aliyun',
      templates: {
        'handover.overdue': { code: 'SMS_480100001', params: ['dueDate'] },
        'handover.escalated_district': { code: 'SMS_480100002', params: ['dueDate'] },
        'digest.daily': { code: 'SMS_480100003', params: ['date', 'dueToday', 'dueSoon', 'overdue', 'newHandovers', 'updates'] },
      },
    },
    email: { provider: 'smtp', host: 'mail.chuanhui.gov.cn', port: 465, user: 'shudi@chuanhui.gov.cn', secretName: 'shudi/prod/chuanhui/smtp', from: 'shudi@chuanhui.gov.cn' },
  },
  calendar: { officialYears: {} },
  rules: {},
};
districtConfig.parse(config); // fail here, not at load time

/** JSON with small leaf objects on one line, so the file reads as a table. */
function pretty(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value);
  if (value === null || typeof value !== 'object' || (indent.length >= 4 && flat.length <= 200)) return flat;
  const inner = indent + '  ';
  if (Array.isArray(value)) return value.length ? `[\n${value.map((v) => inner + pretty(v, inner)).join(',\n')}\n${indent}]` : '[]';
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`).join(',\n')}\n${indent}}`;
}

const out = fileURLToPath(new URL('../districts/chuanhui.json', import.meta.url));
writeFileSync(out, pretty(config) + '\n');
console.log(`wrote ${out}: ${streetConfigs.length} streets, ${communityIndex} communities, ${unitConfigs.length} units, ${staff.length} staff`);
