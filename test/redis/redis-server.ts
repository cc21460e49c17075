// A redis-server of the test's own on a free loopback port, so it can be killed and restarted mid-run.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { freePort } from '../scale/procs.js';

export interface OwnRedis {
  url: string;
  start(): Promise<void>;
  /** SIGKILL: the connections drop at once, as when Redis crashes. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open but nothing answers, as with a hung server or a lost network. */
  pause(): void;
  resume(): void;
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.end('PING\r\n');
      socket.once('data', (data) => resolve(data.toString().startsWith('+PONG')));
    });
    socket.once('error', () => resolve(false));
  });

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        '/usr/bin/redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      const deadline = Date.now() + 10_000;
      while (!(await answers(port))) {
        if (Date.now() > deadline) throw new Error('redis-server did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async kill() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      running.kill('SIGCONT'); // a paused server only dies once it runs again
      await exited;
      child = null;
    },
  };
}
