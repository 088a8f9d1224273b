// htm bound to preact's h: JSX-like templates in plain TypeScript, no JSX transform in the build or the typecheck.
import htm from 'htm';
import { h, type VNode } from 'preact';

export const html = htm.bind(h) as (strings: TemplateStringsArray, ...values: unknown[]) => VNode;
