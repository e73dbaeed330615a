#!/usr/bin/env bash
# The browser engines finlink is tested in, for the README's support table.
#
#   scripts/engines.sh version ENGINE   the installed version of chromium, firefox or webkit
#   scripts/engines.sh table            the support table of the last `make test`, in Markdown,
#                                       from target/test-logs/ (parts.tsv and engines/*.json)
#   scripts/engines.sh readme           puts target/test-logs/engines.md into README.md,
#                                       between the engines markers
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
logs="$root/target/test-logs"
begin='<!-- engines: begin (make engines-readme writes this table from the last make test) -->'
end='<!-- engines: end -->'

# The installed version of an engine, as its Debian package's program reports it.
version() {
  case "$1" in
    chromium) /usr/bin/chromium --version 2>/dev/null | awk '{ print $2 }' ;;
    firefox) /usr/bin/firefox-esr --version 2>/dev/null | awk '{ sub(/esr$/, "", $3); print $3 }' ;;
    webkit) dpkg-query -W -f '${Version}' libwebkit2gtk-4.1-0 2>/dev/null | sed 's/-[^-]*$//' ;;
    *) echo "unknown engine: $1" >&2; return 1 ;;
  esac
}

# The version the end-to-end run's WebDriver session reported (engines/<engine>.json), else
# the installed one.
tested_version() {
  local record="$logs/engines/$1.json" found=""
  if [ -f "$record" ]; then
    found="$(sed -n 's/^ *"browser_version": "\(.*\)",\{0,1\}$/\1/p' "$record")"
  fi
  if [ -n "$found" ]; then echo "$found"; else version "$1"; fi
}

# "N passed, N failed (S s)" of a part of the last run, or "not run".
part() {
  awk -F'\t' -v name="$1" '
    $1 == name { printf "%s: %d passed, %d failed, %d s\n", ($2 == "ok" ? "ok" : "FAILED"), $3, $4, $5; found = 1 }
    END { if (!found) print "not run" }
  ' "$logs/parts.tsv"
}

seconds() {
  awk -F'\t' -v name="$1" '$1 == name { print $5; found = 1 } END { if (!found) print 0 }' "$logs/parts.tsv"
}

table() {
  if [ ! -f "$logs/parts.tsv" ]; then
    echo "no target/test-logs/parts.tsv: run make test first" >&2
    return 1
  fi
  local when run
  when="$(date -u -r "$logs/parts.tsv" '+%Y-%m-%d')"
  run='`make test`'
  if ! grep -q $'^test-native\t' "$logs/parts.tsv"; then
    # A run of some parts only (scripts/test.sh PART...).
    run="\`scripts/test.sh $(awk -F'\t' '$1 != "bootstrap" { printf "%s%s", sep, $1; sep = " " }' "$logs/parts.tsv")\`"
  fi
  echo "Measured by $run on $when (2-core machine; times are each part's wall time):"
  echo
  echo "| engine | version tested | for | browser tests (wasm-bindgen-test) | linking flows (e2e/engines) | other end-to-end tests | engine's suite |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  local engine label name for driver other total
  for engine in chromium firefox webkit; do
    case "$engine" in
      chromium) label=Chromium; name="Chromium $(tested_version chromium)"; for="Chrome, Edge"
        driver="headless, chromedriver" ;;
      firefox) label=Firefox; name="Firefox ESR $(tested_version firefox)"; for="Firefox"
        driver="headless, geckodriver" ;;
      webkit) label=WebKit; name="WebKitGTK $(tested_version webkit)"; for="Safari, iOS web views"
        driver="MiniBrowser under Xvfb, WebKitWebDriver" ;;
    esac
    total=$(($(seconds "test-browser-$engine") + $(seconds "test-e2e-$engine")))
    other="—"
    if [ "$engine" = chromium ]; then
      other="Playwright suite (every flow, axe-core, fault injection): $(part test-e2e)"
      total=$((total + $(seconds test-e2e)))
    fi
    printf '| %s | %s (%s) | %s | %s | %s | %s | %d min %02d s |\n' \
      "$label" "$name" "$driver" "$for" "$(part "test-browser-$engine")" \
      "$(part "test-e2e-$engine")" "$other" $((total / 60)) $((total % 60))
  done
}

readme() {
  local table_file="$logs/engines.md" readme_file="$root/README.md"
  if [ ! -f "$table_file" ]; then
    echo "no target/test-logs/engines.md: run make test first" >&2
    return 1
  fi
  if ! grep -qxF "$begin" "$readme_file" || ! grep -qxF "$end" "$readme_file"; then
    echo "README.md has no engines markers" >&2
    return 1
  fi
  awk -v begin="$begin" -v end="$end" -v table="$table_file" '
    $0 == begin { print; while ((getline line < table) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }
  ' "$readme_file" >"$readme_file.new"
  mv "$readme_file.new" "$readme_file"
  echo "README.md: support table from $table_file"
}

case "${1:-}" in
  version) version "${2:?engine: chromium, firefox or webkit}" ;;
  table) table ;;
  readme) readme ;;
  *) echo "usage: scripts/engines.sh version ENGINE | table | readme" >&2; exit 2 ;;
esac
