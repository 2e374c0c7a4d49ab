/**
 * Static checks for our Dockerfiles, for a machine without a Docker engine: the rules hadolint
 * does not know (non-root runtime user, a pinned base image behind an ARG, no secrets baked in,
 * a health check on /health, multi-stage with production dependencies only).
 */

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  /** ARGs declared before the first FROM, with their defaults: they may be used in FROM lines. */
  globalArgs: Map<string, string | undefined>;
  stages: Stage[];
}

/** Joins `\` continuations, drops comments and the parser directive, keeps the first line number. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    const chunk = line.endsWith('\\') ? line.slice(0, -1) : line;
    pending = pending ? { text: `${pending.text} ${chunk}`, line: pending.line } : { text: chunk, line: index + 1 };
    if (!line.endsWith('\\')) {
      const match = /^(\S+)\s*(.*)$/s.exec(pending.text.trim());
      if (match) instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: pending.line });
      pending = undefined;
    }
  });

  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, image, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value] = instruction.args.split('=', 2);
      globalArgs.set(name, value);
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** `${NAME}` / `$NAME` in a FROM line, resolved from the global ARG defaults. */
function resolveImage(image: string, globalArgs: Map<string, string | undefined>): string {
  return image.replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs.get(name) ?? '');
}

const SECRET_NAME = /(secret|token|password|passwd|api[_-]?key|private[_-]?key|credential)/i;
const SECRET_FILE = /(^|\/)(\.env(\..*)?|id_rsa\S*|[^/\s]*\.(pem|key|p12)|\.aws|kubeconfig\S*|\.netrc)$/i;

/** Every rule the file breaks, one readable sentence each; empty when the file is fine. */
export function checkDockerfile(text: string): string[] {
  const { globalArgs, stages } = parseDockerfile(text);
  const problems: string[] = [];
  if (stages.length < 2) problems.push('not multi-stage: build and runtime must be separate stages');
  const stageNames = new Set(stages.map((stage) => stage.name).filter(Boolean));

  for (const stage of stages) {
    if (stageNames.has(stage.image)) continue;
    const image = resolveImage(stage.image, globalArgs);
    if (!/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?$/.test(image) && !/@sha256:[0-9a-f]{64}$/.test(image)) {
      problems.push(`base image '${image || stage.image}' is not pinned to an exact version (name:MAJOR.MINOR.PATCH or a digest)`);
    }
  }

  for (const instruction of stages.flatMap((stage) => stage.instructions)) {
    const { keyword, args, line } = instruction;
    if ((keyword === 'ENV' || keyword === 'ARG') && SECRET_NAME.test(args.split(/[=\s]/)[0])) {
      problems.push(`line ${line}: ${keyword} ${args.split(/[=\s]/)[0]} bakes a secret into the image; mount it at run time`);
    }
    if (keyword === 'COPY' || keyword === 'ADD') {
      const sources = args.split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1);
      for (const source of sources.filter((file) => SECRET_FILE.test(file))) {
        problems.push(`line ${line}: ${keyword} ${source} copies a secret into the image`);
      }
    }
  }

  const runtime = stages[stages.length - 1];
  if (runtime) problems.push(...checkRuntimeStage(runtime, stages));
  return problems;
}

function checkRuntimeStage(runtime: Stage, stages: Stage[]): string[] {
  const problems: string[] = [];
  const last = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword).at(-1);
  const user = last('USER');
  if (!user) {
    problems.push('the runtime stage has no USER: it would run as root');
  } else {
    const [uid] = user.args.split(':');
    if (!/^[1-9]\d*$/.test(uid)) {
      problems.push(`USER ${user.args}: use a numeric non-root uid, so Kubernetes runAsNonRoot can verify it`);
    }
  }
  const healthcheck = last('HEALTHCHECK');
  if (!healthcheck || /^NONE$/i.test(healthcheck.args)) problems.push('the runtime stage has no HEALTHCHECK');
  else if (!healthcheck.args.includes('/health')) problems.push('the HEALTHCHECK does not call the /health endpoint');
  const start = last('ENTRYPOINT') ?? last('CMD');
  if (!start) problems.push('the runtime stage has no ENTRYPOINT or CMD');
  else if (!start.args.startsWith('[')) {
    problems.push(`line ${start.line}: ${start.keyword} in shell form; use exec form so the app gets SIGTERM`);
  }
  if (!runtime.instructions.some((i) => i.keyword === 'COPY' && /--from=/.test(i.args))) {
    problems.push('the runtime stage copies nothing from a build stage');
  }
  // node_modules must come from a stage that installed production dependencies only.
  const modulesFrom = runtime.instructions
    .filter((i) => i.keyword === 'COPY' && /node_modules/.test(i.args))
    .map((i) => /--from=(\S+)/.exec(i.args)?.[1]);
  const prodOnly = (name: string | undefined) =>
    stages.find((s) => s.name === name)?.instructions.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args));
  if (modulesFrom.length === 0 || !modulesFrom.every(prodOnly)) {
    problems.push('node_modules in the runtime stage must come from a stage that runs `npm ci --omit=dev`');
  }
  return problems;
}
