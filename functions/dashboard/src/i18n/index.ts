// Message catalogs and lookups. Pure: the current language lives in the UI state, not here.
import { en } from './en';
import { zhCN, type MessageKey } from './zh-CN';

export type { MessageKey };
export const languages = ['zh-CN', 'en'] as const;
export type Lang = (typeof languages)[number];
export const defaultLang: Lang = 'zh-CN';

export const catalogs: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export type Params = Record<string, string | number>;

/**
 * `{name}` is the value; `{name|one|other}` is `one` when the value is 1, else `other` (English plurals;
 * Chinese needs none).
 */
function fill(template: string, params?: Params): string {
  if (!params) return template;
  return template
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (whole, name: string, one: string, other: string) =>
      name in params ? (Number(params[name]) === 1 ? one : other) : whole,
    )
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function isLang(x: unknown): x is Lang {
  return typeof x === 'string' && (languages as readonly string[]).includes(x);
}

export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key);
}

/** A message in `lang`; the zh-CN text when the language lacks it (it never does: a test checks). */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  return fill(catalogs[lang][key] ?? zhCN[key], params);
}

/** An enum value (`type`, `state`, `action`, …): its translation, or the raw value when the catalog has none. */
export function translateEnum(lang: Lang, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return hasKey(key) ? translate(lang, key) : value;
}

export interface Translator {
  lang: Lang;
  t: (key: MessageKey, params?: Params) => string;
  te: (prefix: string, value: string) => string;
}

export function translator(lang: Lang): Translator {
  return { lang, t: (key, params) => translate(lang, key, params), te: (prefix, value) => translateEnum(lang, prefix, value) };
}

/** The name of an org unit in the language (`{ "zh-CN", "en" }` from GET /org-units). */
export function localName(name: Partial<Record<Lang | 'zh', string>> | undefined, lang: Lang, fallback: string): string {
  if (!name) return fallback;
  return name[lang] ?? (lang === 'zh-CN' ? name.zh : undefined) ?? name['zh-CN'] ?? name.zh ?? name.en ?? fallback;
}
