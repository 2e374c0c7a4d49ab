/** `npm run bench:<name>` dispatch: node tools/bootstrap.js bench <name> [args]. */
const BENCHES: Record<string, string> = {
  serving: './serving',
  tokenizer: '../tokenizer/run-bench',
  'feature-store': './feature-store',
};

const [name, ...rest] = process.argv.slice(2);
const bench = name ? BENCHES[name] : undefined;
if (!bench) {
  console.error(`usage: bench <${Object.keys(BENCHES).join('|')}>`);
  process.exit(2);
}
process.argv = [process.argv[0], process.argv[1], ...rest];
require(bench);
