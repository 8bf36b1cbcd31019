#!/bin/sh
# Writes the C program of README.md's "A short example" section (its first
# ```c block) to OUT, so that the build compiles exactly what readers copy.
# Fails when the section or its block is missing or empty.
# Usage: extract_readme.sh README.md OUT
set -eu
readme=$1 out=$2
awk '/^## A short example/ { sec = 1; next }
     sec && /^## / { exit }
     sec && /^```c$/ { code = 1; next }
     code && /^```$/ { done = 1; exit }
     code { print }
     END { if (!done) exit 1 }' "$readme" > "$out.tmp" ||
	{ echo "extract_readme: no complete \`\`\`c block under '## A short example' in $readme" >&2
	  rm -f "$out.tmp"; exit 1; }
grep -q 'int main' "$out.tmp" ||
	{ echo "extract_readme: the README example has no main()" >&2; rm -f "$out.tmp"; exit 1; }
mv "$out.tmp" "$out"
