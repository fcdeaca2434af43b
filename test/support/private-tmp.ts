import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, AppProps, Testing } from 'cdk8s';

/*
 * cdk8s's Testing.app() makes a `cdk8s.outdir.*` folder in the temp folder for every App and never
 * removes it: the generated-input tests create thousands of apps per run, which piled up in /tmp
 * (about 100,000 folders after a day of runs here). Here each test file's apps get their outdirs
 * in one folder, removed when the file is done. (Setting TMPDIR would not do: jest gives the test
 * a copy of process.env, while os.tmpdir() reads the real one.)
 */
const own = mkdtempSync(join(tmpdir(), 'cdk8s-temporal-test-'));
Testing.app = (props: AppProps = {}) => new App({ outdir: mkdtempSync(join(own, 'outdir-')), ...props });

afterAll(() => rmSync(own, { recursive: true, force: true }));
