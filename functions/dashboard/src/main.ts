/// <reference lib="dom" />
import { render } from 'preact';
import { loadConfig } from './config';
import { App } from './ui/app';
import { html } from './ui/html';
import './styles.css';

render(html`<${App} config=${loadConfig()} />`, document.getElementById('app')!);
