/**
 * Local Kafka for development and CI: `npx tsx tools/kafka/main.ts start | stop | restart | status`.
 * Env: KAFKA_PORT (default 9092), KAFKA_CONTROLLER_PORT (default 9093), KAFKA_BROKERS (use that
 * cluster and start nothing).
 */
import { brokerStatus, restartBroker, startBroker, stopBroker } from './broker';
import { runCli } from './daemon';

const log = (line: string) => console.log(line);

runCli('tools/kafka/main.ts', {
  start: async () => (await startBroker({ log }), 0),
  stop: async () => (await stopBroker({ log }), 0),
  restart: async () => (await restartBroker({ log }), 0),
  status: async () => {
    const status = await brokerStatus();
    const where = status.external ? `external cluster ${status.bootstrap} (KAFKA_BROKERS)` : `Kafka ${status.version} at ${status.bootstrap}`;
    const state = status.external ? '' : status.running ? `running (pid ${status.pid}), ` : 'not running, ';
    log(`kafka: ${where}: ${state}${status.ready ? 'answering' : 'not answering'}`);
    // Like `systemctl status`: non-zero when there is no broker to use.
    return status.ready ? 0 : 3;
  },
});
