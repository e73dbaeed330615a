#!/usr/bin/env bash
# `make test`: every check and all three test layers (DESIGN §6), in order. A failing part does
# not stop the parts after it, so one run shows everything that is wrong; the exit status is
# non-zero if any part failed. With arguments, only bootstrap and the parts they name run, e.g.
# `scripts/test.sh test-browser-webkit test-e2e-webkit`. Each part's result goes to target/test-logs/parts.tsv (name,
# ok/failed, passed, failed, seconds). The last line sums the tests of all layers:
#
#   N passed, N failed
#
# A part that failed without a failing test of its own (formatting, clippy, a build) counts as
# one failure, so the summary never reads "0 failed" for a red run.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

logs="$root/target/test-logs"
rm -rf "$logs"
mkdir -p "$logs"

passed=0
failed=0
failed_parts=()
started=$SECONDS

# Counts the tests a part's log reports: cargo's `test result:` lines and node's `# pass` /
# `# fail` lines. Prints "passed failed".
count() {
  awk '
    /^test result: / {
      for (i = 1; i <= NF; i++) {
        if ($(i + 1) ~ /^passed;?$/) p += $i
        if ($(i + 1) ~ /^failed;?$/) f += $i
      }
    }
    /^# pass [0-9]+$/ { p += $3 }
    /^# fail [0-9]+$/ { f += $3 }
    END { printf "%d %d\n", p, f }
  ' "$1"
}

only=("$@")

# Whether this run includes the part: all of them without arguments.
selected() {
  [ "$1" = bootstrap ] || [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]
}

part() {
  local name="$1"
  shift
  selected "$name" || return 0
  local log="$logs/$name.log"
  local start=$SECONDS
  printf '\n==> %s\n' "$name"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local p f
  read -r p f < <(count "$log")
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$status" -ne 0 ]; then
    failed_parts+=("$name")
  fi
  local took=$((SECONDS - start))
  printf '==> %s: %s (%ds)\n' "$name" "$([ "$status" -eq 0 ] && echo ok || echo FAILED)" "$took"
  printf '%s\t%s\t%d\t%d\t%d\n' "$name" "$([ "$status" -eq 0 ] && echo ok || echo failed)" \
    "$p" "$f" "$took" >>"$logs/parts.tsv"
  return "$status"
}

# Without the tools nothing else can run.
if ! part bootstrap make --no-print-directory bootstrap; then
  printf '\nmake test: bootstrap failed\n0 passed, 1 failed\n'
  exit 1
fi

part fmt make --no-print-directory fmt
part clippy make --no-print-directory clippy
part test-native make --no-print-directory test-native
# Browser tests and end-to-end tests in each engine, each run a part of its own so that counts
# and failures name the engine. test-e2e builds the widget and the server for the parts after it.
for engine in chromium firefox webkit; do
  part "test-browser-$engine" make --no-print-directory "test-browser-$engine"
done
part test-e2e make --no-print-directory test-e2e
built=()
if selected test-e2e; then
  built=(E2E_BUILD=)
fi
for engine in chromium firefox webkit; do
  part "test-e2e-$engine" make --no-print-directory "test-e2e-$engine" "${built[@]}"
done

# The support table of browser engines (engine, version, what ran, time), for the README:
# `make engines-readme` puts it there.
if scripts/engines.sh table >"$logs/engines.md"; then
  printf '\nBrowser engines (target/test-logs/engines.md):\n\n'
  cat "$logs/engines.md"
fi

printf '\n'
if [ ${#failed_parts[@]} -gt 0 ]; then
  printf 'make test: FAILED parts: %s (logs in target/test-logs/)\n' "${failed_parts[*]}"
else
  printf 'make test: all parts passed in %ds\n' $((SECONDS - started))
fi
printf '%d passed, %d failed\n' "$passed" "$failed"
[ ${#failed_parts[@]} -eq 0 ]
