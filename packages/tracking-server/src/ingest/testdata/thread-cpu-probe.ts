// A worker thread for thread-cpu.test.ts: answers each message with its own threadCpuMs().
import { parentPort } from 'node:worker_threads';
import { threadCpuMs } from '../thread-cpu';

parentPort?.on('message', () => parentPort?.postMessage(threadCpuMs()));
