/**
 * Local Redis for development and CI: `npx tsx tools/redis/main.ts start | stop | status`.
 * Env: REDIS_PORT (default 6379), REDIS_URL (use that server and start nothing).
 */
import { runCli } from '../kafka/daemon';
import { redisStatus, startRedis, stopRedis } from './redis';

const log = (line: string) => console.log(line);

runCli('tools/redis/main.ts', {
  start: async () => (await startRedis({ log }), 0),
  stop: async () => (await stopRedis({ log }), 0),
  status: async () => {
    const status = await redisStatus();
    const where = status.external ? `external server ${status.redisUrl} (REDIS_URL)` : status.redisUrl;
    const state = status.external ? '' : status.running ? `running (pid ${status.pid}), ` : 'not running, ';
    log(`redis: ${where}: ${state}${status.ready ? 'answering' : 'not answering'}`);
    return status.ready ? 0 : 3;
  },
});
