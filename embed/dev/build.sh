#!/bin/sh
# Regenerate embed/embed.js from embed/embed.src.js and check the 5 KB gzip budget.
set -e
cd "$(dirname "$0")/.."
npx --yes terser@5 embed.src.js --ecma 2017 -c passes=2 -m --comments '/^!/' -f ascii_only=true -o embed.js
size=$(gzip -9 -c embed.js | wc -c)
echo "embed.js: $(wc -c < embed.js) bytes, $size gzipped (budget 5120)"
[ "$size" -le 5120 ]
