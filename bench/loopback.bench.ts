import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { round } from './stats';
import type { LoopbackCommand, LoopbackReply } from './loopback-worker';
import { BenchModule } from './types';

/**
 * The floor under the messaging fan-out figures: what this machine's kernel charges for one small
 * frame written to one loopback TCP socket and read from it, with no WebSocket library, no JSON
 * and no platform. One forked process writes a prebuilt frame to 2,000 sockets at the fan-out
 * rates; another holds the 2,000 client ends and only counts reads. Whatever the platform does
 * on top, a fan-out rate needs at least (writer + reader) µs per frame × 2,000 × rate of CPU.
 */

interface Plan {
  sockets: number;
  rates: number[];
  seconds: number;
}

const FULL: Plan = { sockets: 2_000, rates: [10, 20, 40], seconds: 10 };
const QUICK: Plan = { sockets: 500, rates: [10, 40], seconds: 3 };
const FRAME_BYTES = 334;

class Side {
  private readonly child: ChildProcess = fork(join(__dirname, 'loopback-worker.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  private queue: ((reply: LoopbackReply) => void)[] = [];

  constructor() {
    this.child.on('message', (reply: LoopbackReply) => this.queue.shift()?.(reply));
  }

  ask(command: LoopbackCommand): Promise<LoopbackReply> {
    return new Promise((resolve, reject) => {
      this.queue.push((reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      this.child.send(command);
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

const cpuSeconds = (r: LoopbackReply) => (r.userSeconds ?? 0) + (r.systemSeconds ?? 0);

export const loopbackBench: BenchModule = {
  description: 'floor for fan-out: kernel CPU per small frame written to / read from a loopback TCP socket, 2,000 sockets, no platform',
  platform: 'none',
  async run(context) {
    const plan = context.quick ? QUICK : FULL;
    const writer = new Side();
    const reader = new Side();
    try {
      const { port } = await writer.ask({ cmd: 'listen' });
      await reader.ask({ cmd: 'connect', port: port ?? 0, sockets: plan.sockets });
      for (const rate of plan.rates) {
        const readerStart = reader.ask({ cmd: 'run', rate, seconds: plan.seconds, noDelay: true });
        const wrote = await writer.ask({ cmd: 'run', rate, seconds: plan.seconds, noDelay: true });
        await readerStart;
        // Let the last frames land before the reader stops counting.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const read = await reader.ask({ cmd: 'finish' });
        const writes = wrote.writes ?? 0;
        const frames = (read.bytes ?? 0) / FRAME_BYTES;
        const extras = {
          rate,
          sockets: plan.sockets,
          seconds: plan.seconds,
          frames_written: writes,
          frames_read: Math.round(frames),
          reads: read.reads ?? 0,
          writer_cpu_pct: round((cpuSeconds(wrote) / (wrote.seconds ?? 1)) * 100, 0),
          writer_system_share_pct: round(((wrote.systemSeconds ?? 0) / Math.max(cpuSeconds(wrote), 1e-9)) * 100, 0),
          reader_cpu_pct: round((cpuSeconds(read) / (read.seconds ?? 1)) * 100, 0),
        };
        const writerUs = (cpuSeconds(wrote) * 1e6) / Math.max(writes, 1);
        const readerUs = (cpuSeconds(read) * 1e6) / Math.max(frames, 1);
        context.emit('loopback_frames_per_second', round(frames / (wrote.seconds ?? 1), 0), 'frames/s', extras);
        context.emit('loopback_writer_us_per_frame', round(writerUs, 2), 'µs', extras);
        context.emit('loopback_reader_us_per_frame', round(readerUs, 2), 'µs', extras);
        // The CPU a fan-out of 2,000 at 40/s needs for its frames alone, in cores, at this rate's cost.
        context.emit('loopback_cores_for_40_fanouts', round(((writerUs + readerUs) * 2_000 * 40) / 1e6, 2), 'cores', extras);
      }
      return { errors: 0 };
    } finally {
      writer.stop();
      reader.stop();
    }
  },
};
