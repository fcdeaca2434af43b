import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, YamlOutputType } from 'cdk8s';

/**
 * What a synth that ClusterLock refuses must put back, noted before it renders. cdk8s creates the
 * output folder and a folder per chart (FOLDER_PER_CHART_FILE_PER_RESOURCE), and writes
 * construct-metadata.json itself (recordConstructMetadata), all before the documents can be read:
 * a refusal removes the folders this synth created while still empty, and puts the metadata file
 * back as it was, so the output folder is left as the refused synth found it.
 */
export function noteOutdirForRefusal(app: App): () => void {
  const outdir = app.outdir;
  const outdirWasThere = existsSync(outdir);
  const metadataFile = (app as unknown as { recordConstructMetadata?: boolean }).recordConstructMetadata ? join(outdir, 'construct-metadata.json') : undefined;
  const metadataBefore = metadataFile !== undefined && existsSync(metadataFile) ? readFileSync(metadataFile) : undefined;
  // Listed only for the layout that makes folders: the other layouts' synths stay one syscall shorter.
  const chartFoldersBefore = app.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE ? entriesOf(outdir) ?? new Set<string>() : undefined;
  return () => {
    if (metadataFile !== undefined) {
      if (metadataBefore !== undefined) writeFileSync(metadataFile, metadataBefore);
      else rmSync(metadataFile, { force: true });
    }
    if (chartFoldersBefore) for (const name of entriesOf(outdir) ?? []) if (!chartFoldersBefore.has(name)) removeIfEmpty(join(outdir, name));
    if (!outdirWasThere) removeIfEmpty(outdir);
  };
}

/** The names in `dir`, or undefined when there is no such folder. */
function entriesOf(dir: string): ReadonlySet<string> | undefined {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return undefined;
  }
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or gone: left as it is
  }
}
