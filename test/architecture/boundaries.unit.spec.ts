import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

interface CruiseReport {
  summary: { violations: Array<{ rule: { name: string }; from: string; to: string; via?: Array<{ name: string }> }> };
}

/** Runs the same CLI and configuration as `npm run lint`, with a JSON report. */
async function violationsOf(...paths: string[]): Promise<string[]> {
  const run = await promisify(execFile)(
    'node_modules/.bin/depcruise',
    [...paths, '--config', '.dependency-cruiser.js', '--output-type', 'json'],
    { maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout: string }) => error); // a non-zero exit just means violations
  const report = JSON.parse(run.stdout) as CruiseReport;
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.via?.map((m) => m.name).join(' -> ') ?? v.to}`);
}

describe('architecture boundaries (dependency-cruiser)', () => {
  it('flags a decider that reaches a framework, a database driver or file I/O, even through a helper', async () => {
    const violations = await violationsOf('test/architecture/fixtures');
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^decider-is-pure: test\/architecture\/fixtures\/impure\.decider\.ts -> .*node_modules\/@nestjs\/common/),
        expect.stringMatching(/^decider-is-pure: .*impure\.decider\.ts -> .*impure-helper\.ts -> .*node_modules\/pg\//),
        expect.stringMatching(/^decider-does-no-io: .*impure\.decider\.ts -> (node:)?fs/),
      ]),
    );
  }, 60_000);

  it('finds no violation in the production code', async () => {
    expect(await violationsOf('src', 'projections')).toEqual([]);
  }, 60_000);
});
