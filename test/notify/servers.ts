import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server saw it: the envelope, the parsed mail and the raw source. */
export interface ReceivedMail {
  from: string;
  rcptTo: string[];
  mail: ParsedMail;
  raw: string;
}

/**
 * A real SMTP server on loopback (STARTTLS off: smtp-server's bundled certificate
 * has expired). Every RCPT TO is kept, every message parsed with mailparser.
 * `stop()` closes it; `restart()` listens again on the same port.
 */
export class TestSmtp {
  readonly received: ReceivedMail[] = [];
  readonly rcptTo: string[] = [];
  port = 0;
  #server: SMTPServer | undefined;

  async start(port = this.port): Promise<this> {
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 2000,
      onRcptTo: (address, _session, callback) => {
        this.rcptTo.push(address.address);
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (mail) => {
              const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
              this.received.push({ from, rcptTo: session.envelope.rcptTo.map((r) => r.address), mail, raw: raw.toString('utf8') });
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}/?ignoreTLS=true`;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Messages to one address (by envelope recipient). */
  to(address: string): ReceivedMail[] {
    return this.received.filter((r) => r.rcptTo.includes(address));
  }

  /** A header line as sent, unfolded (`List-Unsubscribe: <…>` → `<…>`). */
  static header(r: ReceivedMail, name: string): string | undefined {
    const line = r.mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
    return line?.replace(/\r?\n[ \t]+/g, ' ').slice(name.length + 1).trim();
  }
}

export interface WebhookRequest {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
  at: number;
}

/** What the receiver answers on a path: a status (with headers), or 'reset' to drop the connection unanswered. */
export type Answer = number | { status: number; headers?: Record<string, string> } | 'reset';

/** A real HTTP receiver on 127.0.0.1: records every request; answers per path (default 200). */
export class TestReceiver {
  readonly requests: WebhookRequest[] = [];
  readonly answers = new Map<string, (n: number) => Answer>();
  #server: Server | undefined;
  port = 0;

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        this.requests.push({ path, headers: req.headers, raw, body, at: Date.now() });
        const n = this.requests.filter((r) => r.path === path).length;
        const answer = this.answers.get(path)?.(n) ?? 200;
        if (answer === 'reset') return void req.socket.destroy();
        const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
        res.writeHead(status, { 'content-type': 'text/plain', ...headers });
        res.end(String(status));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string): WebhookRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }
}
