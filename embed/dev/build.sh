#!/bin/sh
# Regenerate embed/embed.js from embed/embed.src.js (with embed/embed.css inlined where the
# source says EMBED_CSS) and check the 5 KB gzip budget. terser is pinned to one version:
# the same source always builds the same bytes, which tests/test_embed_build.py checks
# (CI fails when embed.js is not the build of embed.src.js). Usage: build.sh [OUTPUT]
set -e
out=$(realpath -m "${1:-$(dirname "$0")/../embed.js}")
cd "$(dirname "$0")/.."
node -e '
const fs = require("fs");
const css = fs.readFileSync("embed.css", "utf8").replace(/\/\*[\s\S]*?\*\//g, "")
  .split("\n").map(line => line.trim()).join("");
const src = fs.readFileSync("embed.src.js", "utf8");
if (src.split("EMBED_CSS").length !== 2) throw Error("embed.src.js must say EMBED_CSS exactly once");
process.stdout.write(src.replace("EMBED_CSS", () => JSON.stringify(css)));
' | npx --yes terser@5.51.4 --ecma 2017 -c passes=2 -m --comments '/^!/' -f ascii_only=true -o "$out"
size=$(gzip -9 -c "$out" | wc -c)
echo "embed.js: $(wc -c < "$out") bytes, $size gzipped (budget 5120)"
[ "$size" -le 5120 ]
