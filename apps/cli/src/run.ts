import { UsageError, type CliIo } from './command';
import { commands } from './commands';

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: mlops <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `mlops <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

/** Dispatches `mlops <command> ...`; returns the process exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topLevelHelp());
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`mlops: unknown command '${name}'\n\n${topLevelHelp()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mlops ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
