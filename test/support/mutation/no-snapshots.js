// setupFilesAfterEnv of `npm run mutation:assertions`: snapshot matchers always pass, so a mutant
// counts as killed only when an explicit assertion fails. A routine `jest -u` would accept a
// snapshot-only kill; this run measures what the suite catches without that safety net.
const pass = () => ({ pass: true, message: () => 'snapshots are not compared in this run' });
expect.extend({ toMatchSnapshot: pass, toMatchInlineSnapshot: pass, toThrowErrorMatchingSnapshot: pass, toThrowErrorMatchingInlineSnapshot: pass });
