import { execFile, execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { delay, freePort, retryOnPortClash } from '../support/processes';

/** Starts on a port another process took in the meantime are tried again, on other ports, this many times in all. */
const START_ATTEMPTS = 3;

/**
 * A throwaway PostgreSQL cluster on a free loopback port, with a password-authenticated user for
 * Temporal that may create databases (the schema Jobs' create-database step needs that).
 */
export class PostgresServer {
  public static async start(binDir: string): Promise<PostgresServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-temporal-pg-'));
    // postgres refuses to run as root; as root we run every PostgreSQL command as its own user.
    const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    if (asUser.length) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      fs.chownSync(dir, uid, gid);
    }
    const run = PostgresServer.runner(asUser, binDir);
    const data = path.join(dir, 'data');
    const log = path.join(dir, 'postgres.log');
    let port: number;
    try {
      run('initdb', ['-D', data, '-U', 'postgres', '-E', 'UTF8', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync']);
      // freePort binds and closes: another process on the machine can take the port before the
      // postmaster binds it ("could not bind IPv4 address ...: Address already in use"). Start
      // again on another port; any other failure ends the start with what the server logged.
      port = await retryOnPortClash(START_ATTEMPTS, async () => {
        const candidate = await freePort();
        const logged = fs.existsSync(log) ? fs.statSync(log).size : 0;
        try {
          run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', settings(candidate, dir), 'start']);
        } catch (err) {
          const since = fs.existsSync(log) ? fs.readFileSync(log).subarray(logged).toString('utf8').trimEnd() : `(no log at ${log})`;
          throw new Error(`${(err as Error).message}\nThe server logged (${log}):\n${since}`);
        }
        return candidate;
      }, { onRetry: (err) => console.log(`e2e: PostgreSQL lost its port to another process; starting it on another one (${(err as Error).message.split('\n')[0]})`) });
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const server = new PostgresServer(run, dir, pid, port, 'temporal', randomBytes(12).toString('hex'), [...asUser, path.join(binDir, 'pg_ctl')], settings(port, dir));
    try {
      server.query('postgres', `CREATE ROLE ${server.user} LOGIN CREATEDB PASSWORD '${server.password}'`);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  private static runner(asUser: string[], binDir: string) {
    return (tool: string, args: string[]): string => {
      const [cmd, ...rest] = [...asUser, path.join(binDir, tool), ...args];
      try {
        return execFileSync(cmd, rest, { encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${tool} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    };
  }

  public readonly host = '127.0.0.1';

  private constructor(private readonly run: (tool: string, args: string[]) => string, private readonly dir: string,
    public pid: number, public readonly port: number, public readonly user: string, public readonly password: string,
    private readonly pgCtl: string[], private readonly settings: string) {}

  /**
   * Stops the server (fast shutdown: every session is cut, as in a failover or a restart for
   * maintenance), keeps it down for `downMs`, and starts it again on the same port and data.
   * Asynchronous throughout, so a load running in this process is not held up. Returns when it
   * went down and when it accepted connections again (epoch ms).
   */
  public async restart(downMs: number): Promise<{ stoppedAt: number; startedAt: number }> {
    const data = path.join(this.dir, 'data');
    await this.pgCtlAsync(['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    const stoppedAt = Date.now();
    await delay(downMs);
    await this.pgCtlAsync(['-D', data, '-l', path.join(this.dir, 'postgres.log'), '-w', '-t', '60', '-o', this.settings, 'start']);
    this.pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return { stoppedAt, startedAt: Date.now() };
  }

  private pgCtlAsync(args: string[]): Promise<void> {
    const [cmd, ...rest] = [...this.pgCtl, ...args];
    return new Promise((resolve, reject) => {
      execFile(cmd, rest, { timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`pg_ctl ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`)) : resolve()));
    });
  }

  /** Runs one SQL statement as the superuser, over the Unix socket; rows come back one a line, columns split by |. */
  public query(database: string, sql: string): string {
    return this.run('psql', ['-h', this.dir, '-p', String(this.port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql]);
  }

  /** Fast shutdown (SIGINT) of the postmaster by its PID, SIGKILL after 20 s, then the files go. */
  public async stop(): Promise<void> {
    const alive = () => {
      try { process.kill(this.pid, 0); return true; } catch { return false; }
    };
    if (alive()) process.kill(this.pid, 'SIGINT');
    const deadline = Date.now() + 20_000;
    while (alive() && Date.now() < deadline) await delay(200);
    if (alive()) process.kill(this.pid, 'SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The server's settings. Durability is pointless for a throwaway database. Each server process
 * opens up to two pools of 20 connections; a soak runs eight of them, and up to four more while
 * every Deployment rolls at once, so 100 (the default) or even 400 connections are not enough.
 */
function settings(port: number, socketDir: string): string {
  return `-c listen_addresses=127.0.0.1 -p ${port} -k ${socketDir} -c max_connections=1000 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
}
