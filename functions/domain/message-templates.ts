// The messages staff receive, in zh-CN and en, and the one rule they all keep: a message carries dates, counts,
// periods, case ids (email only) and a dashboard link - never a subject's name, phone, ID number or anything about
// health. Each template lists the params it accepts; rendering with any other param throws (ForbiddenParamError),
// every value is checked against the form of its kind, and the rendered text is scanned once more for anything that
// looks like a phone or ID number or a health word (PersonalDataError). Pure: no I/O.
import { caseTypes, type CaseType } from './case';
import type { Language } from './district-config';
import { DIGEST_TEMPLATE, type DeliveryChannel, type DigestCounts, type DueBucket } from './reminders';

// ---------------------------------------------------------------------------------------------------------------------
// Params: a closed set of names, each of one kind with one form

export type ParamKind = 'date' | 'count' | 'period' | 'month' | 'caseId' | 'link';

export const PARAM_KINDS: Readonly<Record<string, ParamKind>> = {
  dueDate: 'date',
  checkDay: 'date',
  acknowledgedOn: 'date',
  rerouteDueDate: 'date',
  date: 'date',
  daysBefore: 'count',
  attempts: 'count',
  dueToday: 'count',
  dueSoon: 'count',
  overdue: 'count',
  newHandovers: 'count',
  updates: 'count',
  period: 'period',
  month: 'month',
  caseId: 'caseId',
  link: 'link',
};

const FORMS: Record<ParamKind, (v: string | number) => boolean> = {
  date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
  count: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1_000_000,
  period: (v) => typeof v === 'string' && /^\d{4}-H[12]$/.test(v),
  month: (v) => typeof v === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(v),
  // Case ids are system identifiers (pseudonymous subject ids, dates, kinds): letters, digits and : . _ # -
  caseId: (v) => typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9:._#-]{0,199}$/.test(v),
  link: (v) => typeof v === 'string' && /^https?:\/\/[A-Za-z0-9.:\-[\]]+(\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/#?]*)?$/.test(v) && v.length <= 300,
};

/** Param names that name personal data: refused with a message that says so. */
const PERSONAL = /name|phone|mobile|tel|e-?mail|id_?(number|no|card)|identity|passport|address|birth|health|diagnos|pregnan|medical|illness|disease|contracept|iud|身份证|姓名|电话|手机/i;

export class ForbiddenParamError extends Error {
  override readonly name = 'ForbiddenParamError';
  constructor(
    readonly template: string,
    readonly param: string,
    readonly personal: boolean,
  ) {
    super(
      personal
        ? `template ${template}: "${param}" is personal data; messages carry dates, counts, periods, case ids and links only`
        : `template ${template} does not accept the param "${param}"`,
    );
  }
}

export class BadParamValueError extends Error {
  override readonly name = 'BadParamValueError';
  constructor(
    readonly template: string,
    readonly param: string,
    readonly kind: ParamKind,
  ) {
    // The value itself is not echoed: it may be exactly what must not leak.
    super(`template ${template}: "${param}" is not a ${kind}`);
  }
}

export class UnknownTemplateError extends Error {
  override readonly name = 'UnknownTemplateError';
  constructor(readonly template: string) {
    super(`no message template "${template}"`);
  }
}

export class PersonalDataError extends Error {
  override readonly name = 'PersonalDataError';
  constructor(
    readonly template: string,
    readonly findings: string[],
  ) {
    super(`template ${template} rendered text that looks like personal data (${findings.join(', ')})`);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The scan for personal data in rendered text

const HEALTH_ZH = ['孕', '环', '避孕', '节育', '流产', '引产', '妊娠', '病', '诊', '医', '药', '手术', '健康', '体检', '计生', '计划生育', '生育', '婚育'];
const HEALTH_EN = /pregnan|contracept|\biud\b|diagnos|illness|disease|medical|medicine|health|abortion|steriliz|birth|fertility|gyn/i;

/**
 * What in a text looks like personal data: a run of 7+ digits (phone, ID number), an 18-character ID number, an
 * e-mail address, a health word. Dates (YYYY-MM-DD) are not digit runs. Returns the kinds found, never the values.
 */
export function findPersonalData(text: string): string[] {
  const found = new Set<string>();
  const withoutDates = text.replace(/\d{4}-\d{2}-\d{2}/g, ' ');
  if (/(?:\d[ -]?){7,}/.test(withoutDates)) found.add('a long number (phone or ID)');
  if (/\d{17}[\dXx]/.test(text)) found.add('an ID number');
  if (/[^\s@]+@[^\s@]+\.[^\s@]+/.test(text)) found.add('an e-mail address');
  if (HEALTH_ZH.some((w) => text.includes(w)) || HEALTH_EN.test(text)) found.add('a health word');
  return [...found];
}

// ---------------------------------------------------------------------------------------------------------------------
// The catalog

interface Text {
  /** One sentence, the heart of the message: SMS and e-mail both start from it. */
  headline: string;
  /** E-mail subject. */
  subject: string;
}
export interface TemplateDef {
  name: string;
  /** The params the notice itself carries (from the case machine); `link` (and `caseId` in e-mail) are added. */
  params: readonly string[];
  /** Whether e-mail shows the case id (a notice about one case). */
  aboutCase: boolean;
  text: Record<Language, Text>;
}

/** Neutral names of the case types: nothing in them says anything about health. */
export const TYPE_LABELS: Record<CaseType, Record<Language, string>> = {
  handover: { 'zh-CN': '移交', en: 'handover' },
  follow_up: { 'zh-CN': '随访', en: 'follow-up visit' },
  health_check: { 'zh-CN': '定期服务', en: 'routine service' },
  certificate_check: { 'zh-CN': '证明查验', en: 'certificate check' },
  unit_notice: { 'zh-CN': '信息通报', en: 'half-yearly notice' },
  change_report: { 'zh-CN': '变更报告', en: 'change report' },
  application: { 'zh-CN': '申请', en: 'application' },
};

function def(name: string, params: readonly string[], zh: Text, en: Text, aboutCase = true): TemplateDef {
  return { name, params, aboutCase, text: { 'zh-CN': zh, en } };
}

function buildCatalog(): Record<string, TemplateDef> {
  const out: Record<string, TemplateDef> = {};
  const add = (d: TemplateDef) => (out[d.name] = d);
  for (const type of caseTypes) {
    const zh = TYPE_LABELS[type]['zh-CN'];
    const en = TYPE_LABELS[type].en;
    add(
      def(
        `${type}.opened`,
        ['dueDate'],
        { headline: `新${zh}任务1件，请于{dueDate}前办结。`, subject: `新${zh}任务` },
        { headline: `1 new ${en} task, due {dueDate}.`, subject: `New ${en} task` },
      ),
    );
    add(
      def(
        `${type}.due_reminder`,
        ['dueDate', 'daysBefore'],
        { headline: `${zh}任务1件将于{dueDate}到期（还有{daysBefore}天）。`, subject: `${zh}任务即将到期` },
        { headline: `1 ${en} task is due {dueDate} ({daysBefore} days left).`, subject: `${capital(en)} task due soon` },
      ),
    );
    add(
      def(
        `${type}.escalated`,
        ['dueDate'],
        { headline: `${zh}任务1件已上报到本级，原定{dueDate}到期。`, subject: `${zh}任务已上报` },
        { headline: `1 ${en} task was escalated to you; it was due {dueDate}.`, subject: `${capital(en)} task escalated` },
      ),
    );
    add(
      def(
        `${type}.overdue`,
        ['dueDate'],
        { headline: `${zh}任务1件已于{dueDate}到期未办结，已转街道。`, subject: `${zh}任务逾期` },
        { headline: `1 ${en} task passed its due date {dueDate} and moved to the street.`, subject: `${capital(en)} task overdue` },
      ),
    );
    add(
      def(
        `${type}.escalated_district`,
        ['dueDate'],
        { headline: `${zh}任务1件逾期仍未办结（原定{dueDate}），已上报区级。`, subject: `${zh}任务已上报区级` },
        { headline: `1 ${en} task is still open after its due date {dueDate}; now at the district.`, subject: `${capital(en)} task at the district` },
      ),
    );
  }
  add(
    def(
      'health_check.check_day_reminder',
      ['checkDay', 'daysBefore'],
      { headline: `服务日为{checkDay}（{daysBefore}天后），请做好安排。`, subject: '服务日提醒' },
      { headline: `Service day on {checkDay} ({daysBefore} days from now): please prepare.`, subject: 'Service day reminder' },
    ),
  );
  add(
    def(
      'handover.assigned',
      ['dueDate'],
      { headline: '改派转入移交1件，请于{dueDate}前接收。', subject: '移交已改派给您' },
      { headline: '1 handover was re-routed to you, due {dueDate}.', subject: 'Handover re-routed to you' },
    ),
  );
  add(
    def(
      'handover.reroute',
      ['rerouteDueDate'],
      { headline: '移交1件待改派，请于{rerouteDueDate}前改派。', subject: '移交待改派' },
      { headline: '1 handover needs re-routing by {rerouteDueDate}.', subject: 'Handover to re-route' },
    ),
  );
  add(
    def(
      'handover.receipt',
      ['acknowledgedOn'],
      { headline: '移交已于{acknowledgedOn}被接收。', subject: '移交回执' },
      { headline: 'A handover was acknowledged on {acknowledgedOn}.', subject: 'Handover receipt' },
    ),
  );
  add(
    def(
      'unit_notice.receipt',
      ['period'],
      { headline: '{period}信息通报已被接收。', subject: '信息通报回执' },
      { headline: 'Your {period} notice was received.', subject: 'Notice receipt' },
    ),
  );
  add(
    def(
      'follow_up.unreachable',
      ['attempts'],
      { headline: '随访{attempts}次未能联系，请街道跟进。', subject: '随访未能联系' },
      { headline: 'A follow-up visit failed {attempts} times; the street should follow up.', subject: 'Follow-up visit unreachable' },
    ),
  );
  add(
    def(
      'application.forwarded',
      ['dueDate'],
      { headline: '社区已提出意见的申请1件转到本级，请于{dueDate}前审批。', subject: '申请待审批' },
      { headline: '1 application with the community\'s opinion was forwarded to you; decide by {dueDate}.', subject: 'Application to decide' },
    ),
  );
  add(
    def(
      'application.decision_overdue',
      ['dueDate'],
      { headline: '申请1件已于{dueDate}到期未审批，已转区级。', subject: '申请审批逾期' },
      { headline: '1 application was not decided by {dueDate} and moved to the district.', subject: 'Application decision overdue' },
    ),
  );
  add(
    def(
      'application.decided',
      ['date'],
      { headline: '申请1件已于{date}审批，请查看结果并告知申请人。', subject: '申请已审批' },
      { headline: '1 application was decided on {date}; see the result and tell the applicant.', subject: 'Application decided' },
    ),
  );
  add(
    def(
      'change_report.filed',
      ['month'],
      { headline: '{month}变更报告已报送。', subject: '变更报告已报送' },
      { headline: 'The {month} change report was filed.', subject: 'Change report filed' },
    ),
  );
  add(
    def(
      DIGEST_TEMPLATE,
      ['date', 'dueToday', 'dueSoon', 'overdue', 'newHandovers', 'updates'],
      {
        headline: '{date}待办：今日到期{dueToday}件，3日内到期{dueSoon}件，逾期{overdue}件，新移交{newHandovers}件，其他通知{updates}条。',
        subject: '{date}每日待办',
      },
      {
        headline: '{date}: {dueToday} due today, {dueSoon} due within 3 days, {overdue} overdue, {newHandovers} new handovers, {updates} other notices.',
        subject: 'Daily summary {date}',
      },
      false,
    ),
  );
  return out;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const TEMPLATES: Readonly<Record<string, TemplateDef>> = Object.freeze(buildCatalog());

/** The params a template accepts on a channel. */
export function allowedParams(template: string, channel: DeliveryChannel): string[] {
  const d = TEMPLATES[template];
  if (!d) throw new UnknownTemplateError(template);
  return [...d.params, 'link', ...(channel === 'email' && d.aboutCase ? ['caseId'] : [])];
}

// ---------------------------------------------------------------------------------------------------------------------
// Rendering

export interface RenderedMessage {
  channel: DeliveryChannel;
  language: Language;
  template: string;
  /** E-mail only, in the staff member's language. */
  subject?: string;
  /** E-mail only: the same subject in plain ASCII (SNS e-mail subjects must be ASCII). */
  asciiSubject?: string;
  text: string;
}

const FRAME: Record<Language, { smsPrefix: string; open: string; caseLabel: string; footer: string; subjectPrefix: string }> = {
  'zh-CN': { smsPrefix: '【属地】', open: '详见', caseLabel: '案件编号', footer: '本邮件由属地系统自动发送，不含个人信息。', subjectPrefix: '属地：' },
  en: { smsPrefix: '[shudi] ', open: 'Open:', caseLabel: 'Case', footer: 'Sent by shudi. This message carries no personal data.', subjectPrefix: 'shudi: ' },
};

type Params = Record<string, string | number>;

function checkParams(template: string, channel: DeliveryChannel, params: Params): void {
  const allowed = allowedParams(template, channel);
  for (const [k, v] of Object.entries(params)) {
    if (!allowed.includes(k)) throw new ForbiddenParamError(template, k, PERSONAL.test(k));
    const kind = PARAM_KINDS[k];
    if (!kind || !FORMS[kind](v)) throw new BadParamValueError(template, k, kind ?? 'count');
  }
}

function fill(template: string, text: string, params: Params): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`template ${template}: the param "${k}" is missing`);
    return String(v);
  });
}

/** The text with case ids and links blanked, then scanned: identifiers are checked by their form instead. */
function guard(template: string, text: string, params: Params): void {
  let scanned = text;
  for (const k of ['caseId', 'link']) {
    const v = params[k];
    if (typeof v === 'string' && v) scanned = scanned.split(v).join(' ');
  }
  const findings = findPersonalData(scanned);
  if (findings.length) throw new PersonalDataError(template, findings);
}

/**
 * Renders one notice for one channel and language. Throws UnknownTemplateError, ForbiddenParamError (a param the
 * template does not accept, such as a name or phone), BadParamValueError, or PersonalDataError.
 */
export function renderMessage(template: string, channel: DeliveryChannel, language: Language, params: Params): RenderedMessage {
  const d = TEMPLATES[template];
  if (!d) throw new UnknownTemplateError(template);
  checkParams(template, channel, params);
  const f = FRAME[language];
  const t = d.text[language];
  const headline = fill(template, t.headline, params);
  const link = params.link !== undefined ? String(params.link) : undefined;
  let out: RenderedMessage;
  if (channel === 'sms') {
    const tail = link ? (language === 'en' ? ` ${f.open} ${link}` : `${f.open}${link}`) : '';
    out = { channel, language, template, text: `${f.smsPrefix}${headline}${tail}` };
  } else {
    const lines = [headline, ''];
    if (d.aboutCase && params.caseId !== undefined) lines.push(`${f.caseLabel}${language === 'en' ? ': ' : '：'}${params.caseId}`);
    if (link) lines.push(`${f.open} ${link}`);
    lines.push('', f.footer);
    out = {
      channel,
      language,
      template,
      subject: `${f.subjectPrefix}${fill(template, t.subject, params)}`,
      asciiSubject: `${FRAME.en.subjectPrefix}${fill(template, d.text.en.subject, params)}`,
      text: lines.join('\n'),
    };
  }
  guard(template, `${out.subject ?? ''}\n${out.text}`, params);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// The daily digest: counts for SMS, counts and case lists for e-mail

export interface DigestLine {
  caseId: string;
  dueDate: string;
  /** The case type (its neutral label is shown), or undefined for a notice without a case. */
  caseType?: CaseType;
  /** For notices: the template that produced it (shown by a neutral label). */
  template?: string;
}
export interface DigestLists {
  overdue: DigestLine[];
  today: DigestLine[];
  soon: DigestLine[];
  newHandovers: DigestLine[];
}

/** Lines shown per section of a digest e-mail; the rest are counted. */
export const DIGEST_EMAIL_LINES = 20;

const SECTION: Record<DueBucket | 'newHandovers', Record<Language, string>> = {
  overdue: { 'zh-CN': '逾期', en: 'Overdue' },
  today: { 'zh-CN': '今日到期', en: 'Due today' },
  soon: { 'zh-CN': '3日内到期', en: 'Due within 3 days' },
  newHandovers: { 'zh-CN': '新移交', en: 'New handovers' },
};

function digestLine(line: DigestLine, language: Language): string {
  if (!FORMS.caseId(line.caseId)) throw new BadParamValueError(DIGEST_TEMPLATE, 'caseId', 'caseId');
  if (!FORMS.date(line.dueDate)) throw new BadParamValueError(DIGEST_TEMPLATE, 'dueDate', 'date');
  if (line.caseType !== undefined && !caseTypes.includes(line.caseType)) throw new BadParamValueError(DIGEST_TEMPLATE, 'caseType', 'caseId');
  const label = line.caseType ? TYPE_LABELS[line.caseType][language] : '';
  return language === 'en' ? `  - ${line.caseId}  ${label}, due ${line.dueDate}` : `  - ${line.caseId}  ${label}，${line.dueDate}到期`;
}

/** The daily digest for one channel: SMS has the counts and a link; e-mail adds the case ids and due dates. */
export function renderDigest(
  channel: DeliveryChannel,
  language: Language,
  params: DigestCounts & { date: string; link: string },
  lists?: DigestLists,
): RenderedMessage {
  const base = renderMessage(DIGEST_TEMPLATE, channel, language, { ...params });
  if (channel === 'sms' || !lists) return base;
  const f = FRAME[language];
  const headline = fill(DIGEST_TEMPLATE, TEMPLATES[DIGEST_TEMPLATE]!.text[language].headline, { ...params });
  const body: string[] = [headline];
  const sections: [keyof DigestLists, number][] = [
    ['overdue', params.overdue],
    ['today', params.dueToday],
    ['soon', params.dueSoon],
    ['newHandovers', params.newHandovers],
  ];
  const ids: string[] = [];
  for (const [key, total] of sections) {
    const lines = lists[key];
    if (!lines.length) continue;
    body.push('', `${SECTION[key][language]} (${total})`);
    for (const l of lines.slice(0, DIGEST_EMAIL_LINES)) {
      body.push(digestLine(l, language));
      ids.push(l.caseId);
    }
    const more = total - Math.min(lines.length, DIGEST_EMAIL_LINES);
    if (more > 0) body.push(language === 'en' ? `  … and ${more} more` : `  ……另有${more}件`);
  }
  body.push('', `${f.open} ${params.link}`, '', f.footer);
  const text = body.join('\n');
  let scanned = text.split(params.link).join(' ');
  for (const id of ids) scanned = scanned.split(id).join(' ');
  const findings = findPersonalData(`${base.subject ?? ''}\n${scanned}`);
  if (findings.length) throw new PersonalDataError(DIGEST_TEMPLATE, findings);
  return { ...base, text };
}
