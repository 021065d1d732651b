#!/usr/bin/env node
// Writes schemas/loaddensity-action.schema.json with `loaddensity schema`
// (run by `vscode:prepublish`, so every .vsix carries the schema of the
// loaddensity that packaged it). The command is $LOADDENSITY, else
// `loaddensity` on PATH.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ld = process.env.LOADDENSITY || "loaddensity";
const out = path.join(__dirname, "..", "schemas", "loaddensity-action.schema.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
try {
  execFileSync(ld, ["schema", "-o", out], { stdio: "inherit" });
} catch (err) {
  console.error(
    `schema: could not run '${ld} schema' (${err.message}).\n` +
      "Build LoadDensity and put loaddensity on PATH, or set LOADDENSITY."
  );
  process.exit(1);
}
JSON.parse(fs.readFileSync(out, "utf8")); // fail loudly on a broken file
console.log(`schema: wrote ${path.relative(process.cwd(), out)}`);
