// What a Lambda bundle carries: the district without its staff roster (infra/bundling.ts). The staff
// are personal data and live in the table only; a deployed config that still holds them is refused at
// synth (writeDeployedDistrictConfig validates what it writes), naming the file and the JSON path. At
// cold start a function only checks that the bundled config is its own district's.
import { describe, expect, it } from 'vitest';
import { districtContext } from '../../functions/app/district-context';
import { withoutStaff } from '../../functions/domain/district-config';
import { ConfigError, parseDeployedDistrictConfig } from '../../infra/district-config-files';
import { districts } from './synth';

describe('the deployed district config', () => {
  const full = districts.chuanhui!;

  it('is the district without its staff: same territory, rules and calendar', () => {
    const deployed = parseDeployedDistrictConfig(JSON.parse(JSON.stringify(withoutStaff(full))), 'chuanhui.json');
    expect(Object.keys(deployed)).not.toContain('staff');
    expect(JSON.stringify(deployed)).not.toContain(full.staff[0]!.phone);
    const a = districtContext(deployed);
    const b = districtContext(full);
    expect(a.territory.get(full.streets[0]!.communities[0]!.id)).toEqual(b.territory.get(full.streets[0]!.communities[0]!.id));
    expect(a.rules).toEqual(b.rules);
  });

  it('refuses a config that still carries the staff roster, naming file and path', () => {
    let err: unknown;
    try {
      parseDeployedDistrictConfig(JSON.parse(JSON.stringify(full)), 'chuanhui.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const issue = (err as ConfigError).issues[0]!;
    expect(issue.file).toBe('chuanhui.json');
    expect(issue.message).toMatch(/staff/);
    // Never the personal data itself in the error.
    expect((err as ConfigError).message).not.toContain(full.staff[0]!.phone);
  });

  it('still checks the territory: a unit in an unknown street is an error at its path', () => {
    const broken = JSON.parse(JSON.stringify(withoutStaff(full))) as { units: { streetId: string }[] };
    expect(broken.units.length).toBeGreaterThan(0);
    broken.units[0]!.streetId = 'nowhere';
    expect(() => parseDeployedDistrictConfig(broken, 'chuanhui.json')).toThrow(/units\[0\]\.streetId: unknown street "nowhere"/);
  });
});
