import pg from 'pg';

export interface BenchDatabase {
  url: string;
  admin: pg.Client;
  drop(): Promise<void>;
}

/** Drops databases of earlier runs that were killed before their cleanup (their process is gone). */
async function dropLeftovers(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname ~ '^overdue_bench_[0-9]+$'`);
  for (const { datname } of rows) {
    const pid = Number(datname.slice('overdue_bench_'.length));
    let alive = pid !== process.pid;
    try {
      if (alive) process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) await admin.query(`drop database if exists ${datname} with (force)`);
  }
}

/** A fresh database on the server at DATABASE_URL (default: the local one), dropped by `drop()`. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const baseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `overdue_bench_${process.pid}`;
  const u = new URL(baseUrl);
  u.pathname = `/${dbName}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await dropLeftovers(admin);
  await admin.query(`create database ${dbName}`);
  return {
    url: u.toString(),
    admin,
    drop: async () => {
      await admin.query(`drop database if exists ${dbName} with (force)`).catch((err: Error) => console.error(`drop database: ${err.message}`));
      await admin.end();
    },
  };
}
