import type { Api } from '../support/http.js';

/** Whether a key is accepted right now. */
export async function keyWorks(call: Api, key: string): Promise<boolean> {
  const res = await call('GET', '/api/v1/me', undefined, key);
  if (res.status !== 200 && res.status !== 401) throw new Error(`/me answered ${res.status}`);
  return res.status === 200;
}

