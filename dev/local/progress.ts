// One updating progress line on stderr for long local commands (seeding, simulation, benchmarks).
export function progressLine(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let last = 0;
  const render = (done: number, final = false) => {
    const now = Date.now();
    if (!final && now - last < 200) return;
    last = now;
    const secs = (now - started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const eta = rate > 0 && done < total ? ` · ${Math.ceil((total - done) / rate)}s left` : '';
    const line = `${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${pct}%) · ${Math.round(rate).toLocaleString('en')}/s${eta}`;
    if (stream.isTTY) stream.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else if (final) stream.write(`${line}\n`);
  };
  return { update: (done: number) => render(done), done: (done = total) => render(done, true) };
}
