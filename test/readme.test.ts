import { readFileSync } from 'fs';
import { join } from 'path';
import { ClusterSize, roleSizing, ServiceRole } from '../lib';
import { nonEmpty } from './support/non-empty';

/** The README's claims that the code can check. */
describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf-8');

  test('the sizing table is the presets of lib/services/sizing.ts', () => {
    const header = readme.split('\n').findIndex((l) => l.startsWith('| Role | `ClusterSize.SMALL`'));
    expect(header).toBeGreaterThan(0);
    const rows = readme.split('\n').slice(header + 2).filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('|')));
    const sizes = [ClusterSize.SMALL, ClusterSize.MEDIUM, ClusterSize.LARGE];
    const roles = Object.values(ServiceRole);
    expect(rows.map((r) => r.split('|')[1].trim().replace(' ', '-'))).toEqual(roles);
    for (const row of nonEmpty(rows)) {
      const cells = row.split('|').slice(1, -1).map((c) => c.trim());
      const role = cells[0].replace(' ', '-') as ServiceRole;
      sizes.forEach((size, i) => {
        const s = roleSizing(size, role);
        expect(`${role} ${size}: ${cells[i + 1]}`).toBe(`${role} ${size}: ${s.replicas} × ${s.cpu} / ${s.memory}, limits ${s.cpuLimit} / ${s.memoryLimit}`);
      });
    }
  });
});
