/** Fixed-window counters shared by every instance (rate limits that hold across instances). */
export interface RateLimitTable {
  /** What is limited and for whom, hashed: `subscribe-ip:<sha256>`; no address or e-mail is kept in clear. */
  bucket: string;
  window_start: Date;
  hits: number;
}
