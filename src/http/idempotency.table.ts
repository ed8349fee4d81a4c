export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  fingerprint: string;
  state: 'processing' | 'completed';
  status_code: number | null;
  response_body: string | null;
  content_type: string | null;
  locked_until: Date;
  created_at: Date;
}
