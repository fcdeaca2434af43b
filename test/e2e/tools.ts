import * as path from 'path';
import { runToolScript } from '../support/tool-script';

/** What scripts/e2e-tools.sh prepares: the binaries and files that stand in for the images. */
export interface E2eTools {
  /** The Temporal release the binaries and schema files belong to. */
  readonly version: string;
  /** `temporal-server` of the server image. */
  readonly serverBin: string;
  /** `temporal-sql-tool` of the admin-tools image. */
  readonly sqlToolBin: string;
  /** The release's schema folder, which the admin-tools image holds at /etc/temporal/schema. */
  readonly schemaDir: string;
  /** `temporal`, the Temporal CLI of the admin-tools image (see scripts/e2e-tools.sh for its version). */
  readonly temporalCliBin: string;
  /** Folder with initdb, pg_ctl and psql. */
  readonly postgresBinDir: string;
}

const SCRIPT = path.resolve(__dirname, '../../scripts/e2e-tools.sh');

/** Builds (or reuses) the tools of one Temporal release. Slow only the first time on a machine. */
export function ensureTools(temporalVersion: string): E2eTools {
  const get = runToolScript<'TEMPORAL_SERVER_BIN' | 'TEMPORAL_SQL_TOOL_BIN' | 'TEMPORAL_SCHEMA_DIR' | 'TEMPORAL_CLI_BIN' | 'POSTGRES_BIN_DIR'>(
    SCRIPT, [temporalVersion], 20 * 60 * 1000);
  return {
    version: temporalVersion,
    serverBin: get('TEMPORAL_SERVER_BIN'),
    sqlToolBin: get('TEMPORAL_SQL_TOOL_BIN'),
    schemaDir: get('TEMPORAL_SCHEMA_DIR'),
    temporalCliBin: get('TEMPORAL_CLI_BIN'),
    postgresBinDir: get('POSTGRES_BIN_DIR'),
  };
}
