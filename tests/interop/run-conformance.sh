#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in package.json) against the
# mcp-conformance fixture, for the 2025-11-25 and the 2026-07-28 requirement sets. Judged per CHECK, not per
# scenario: a check that fails (or warns) must be listed in conformance-expected-failures.txt with its reason, a
# listed check that passes is a stale entry; either fails the test. Two judges, both must agree:
#   - the suite's own --expected-failures baseline (per-check entries, scored scenarios of the set), and
#   - the checks.json files the suite writes (-o), for every scenario that ran, scored or not.
set -u
. "$(dirname "$0")/lib.sh"
interop_init "$CONFORMANCE_BIN" mcp-conformance
EXPECTED="$INTEROP_DIR/conformance-expected-failures.txt"
start_conformance "$WORK/server.log" || exit 1
URL="http://127.0.0.1:$MCP_PORT_BOUND/conformance-instance/mcp"

# judge_checks ERA OUTDIR: compares every checks.json under OUTDIR with the ERA lines of EXPECTED.
judge_checks() {
    node --input-type=module - "$1" "$2" "$EXPECTED" <<'JS'
import fs from 'node:fs'; import path from 'node:path';
const [era, outDir, expectedFile] = process.argv.slice(2);
const expected = new Map();
for (const line of fs.readFileSync(expectedFile, 'utf8').split('\n')) {
    const m = line.match(/^(\S+)\s+([^\s:]+):(\S+)\s+(\S.*)$/);
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (!m) { console.log(`bad line in ${expectedFile} (want "<era> <scenario>:<check-id> <reason>"): ${line}`); process.exit(1); }
    if (m[1] === era) expected.set(`${m[2]}:${m[3]}`, m[4]);
}
const sev = (s) => (s === 'FAILURE' ? 3 : s === 'WARNING' ? 2 : s === 'SUCCESS' ? 1 : 0);
const verdict = new Map(); // "scenario:id" -> most severe status over its occurrences (as the suite collapses them)
let scenarios = 0;
for (const dir of fs.readdirSync(outDir)) {
    const file = path.join(outDir, dir, 'checks.json');
    if (!fs.existsSync(file)) continue;
    const scenario = dir.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    scenarios++;
    for (const c of JSON.parse(fs.readFileSync(file, 'utf8'))) {
        if (c.status === 'INFO') continue;
        const key = `${scenario}:${c.id}`, prev = verdict.get(key);
        if (prev === undefined || sev(c.status) > sev(prev.status)) verdict.set(key, c);
    }
}
const unexpected = [], stale = [];
let failing = 0, passing = 0;
for (const [key, c] of verdict) {
    const bad = c.status === 'FAILURE' || c.status === 'WARNING';
    if (bad) failing++; else if (c.status === 'SUCCESS') passing++;
    if (bad && !expected.has(key)) unexpected.push(`${key} [${c.status}] ${(c.errorMessage ?? '').slice(0, 200)}`);
    if (c.status === 'SUCCESS' && expected.has(key)) stale.push(key);
}
console.log(`checks ${era}: ${scenarios} scenarios, ${passing} checks passed, ${failing} failed (${failing - unexpected.length} listed as expected)`);
for (const u of unexpected) console.log(`UNEXPECTED failing check (${era}): ${u}`);
for (const s of stale) console.log(`STALE expected failure (${era}), the check now passes, remove its line: ${s}`);
process.exit(scenarios === 0 || unexpected.length || stale.length ? 1 : 0);
JS
}

status=0
for era in 2025-11-25 2026-07-28; do
    out="$WORK/conformance-$era.log"
    baseline="$WORK/baseline-$era.yml"
    entries=$(awk -v e="$era" '$1 == e {print "  - \"" $2 "\""}' "$EXPECTED")
    # an era without expected failures still needs a list (the suite refuses a bare "server:")
    if [ -n "$entries" ]; then printf 'server:\n%s\n' "$entries"; else echo "server: []"; fi >"$baseline"
    (cd "$WORK" && timeout 500 conformance server --url "$URL" --requirements "$era" -o "$WORK/results-$era" \
        --expected-failures "$baseline" >"$out" 2>&1)
    suite_rc=$?
    sed 's/\x1b\[[0-9;]*m//g' "$out" >"$out.txt"
    if ! grep -q '^Total:' "$out.txt"; then
        echo "conformance $era did not complete:"; tail -30 "$out.txt"; status=1; continue
    fi
    grep '^Total:' "$out.txt"
    if [ $suite_rc -ne 0 ]; then
        echo "conformance $era: the suite's baseline check failed (exit $suite_rc):"
        awk '/^(Stale baseline entries|Unexpected failures \(not in baseline\))/ {p = 1; print; next} /^$/ {p = 0} p' \
            "$out.txt" | head -20
        grep -q 'Baseline' "$out.txt" || tail -20 "$out.txt"
        status=1
    fi
    judge_checks "$era" "$WORK/results-$era" || status=1
done
stop_and_check_sanitizers "$WORK/server.log" || status=1
[ $status -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $status
