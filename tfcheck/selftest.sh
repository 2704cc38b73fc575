#!/usr/bin/env bash
# selftest.sh — prove that check.sh catches real mistakes and passes a good module.
#
#   tfcheck/testdata/valid              must pass every step (and its tests/ must run).
#   the same module without tests/      must fail the test step under check.sh --require-tests.
#   tfcheck/testdata/broken/<case>/     must fail; EXPECT lists "STEP: message" lines, and
#                                       check.sh must fail exactly those steps, each with the
#                                       engine's message (compared with whitespace collapsed).
# Also checks that the committed schema holds every type the templates use.
# Ends with "N passed, N failed"; exit 1 when anything is wrong.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$ROOT"

pass=0 fail=0
ok()  { pass=$((pass + 1)); printf 'PASS %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$*"; }

# Build the tools first so their progress does not mix into the cases.
tool_env="$("$HERE/tools.sh")" || { echo "tfcheck: the tools could not be built (see above)" >&2; exit 1; }
eval "$tool_env"

out="$(mktemp)"; trap 'rm -f "$out"' EXIT

# the provider's own unit tests (schema shape, plan, validation)
if (cd "$HERE/provider" && GOCACHE="${TFCHECK_GOCACHE:-$(go env GOCACHE)}" GOFLAGS=-buildvcs=false go test ./...) >"$out" 2>&1; then
  ok "provider unit tests"
else bad "provider unit tests:"; sed 's/^/    /' "$out"; fi

# schema coverage
if node "$HERE/schema/extract.js" --check >"$out" 2>&1; then ok "schema covers the templates' types"
else bad "schema coverage:"; sed 's/^/    /' "$out"; fi

# the valid module
rc=0; "$HERE/check.sh" tfcheck/testdata/valid >"$out" 2>&1 || rc=$?
if [ "$rc" = 0 ] && grep -Eq 'ok +tfcheck/testdata/valid: test \(.*[1-9][0-9]* passed, 0 failed' "$out"; then
  ok "valid: passes fmt, init, validate, test (with tests run), tfsec"
else
  bad "valid: check.sh exit $rc"; sed 's/^/    /' "$out"
fi

# --require-tests: a module without tests fails the test step (and only that step)
# (in a folder of its own: check.sh copies the module's parent folder)
notests="$(mktemp -d)"; mkdir "$notests/module"; cp tfcheck/testdata/valid/main.tf "$notests/module/"
rc=0; "$HERE/check.sh" --require-tests "$notests/module" >"$out" 2>&1 || rc=$?
mapfile -t got < <(sed -n "s|^FAIL $notests/module: \([a-z]*\) .*|\1|p" "$out" | sort -u)
if [ "$rc" = 1 ] && [ "${got[*]:-}" = test ] && grep -q 'no tests/ folder' "$out"; then
  ok "no-tests: --require-tests fails the test step"
else
  bad "no-tests: check.sh --require-tests exit $rc, failed steps [${got[*]:-}], want 1 and [test]"; sed 's/^/    /' "$out"
fi
rm -rf "$notests"

# the broken modules
for d in tfcheck/testdata/broken/*/; do
  d="${d%/}"; name="${d##*/}"
  [ -f "$d/EXPECT" ] || { bad "$name: no EXPECT file"; continue; }
  rc=0; "$HERE/check.sh" "$d" >"$out" 2>&1 || rc=$?
  problems=()
  [ "$rc" = 1 ] || problems+=("check.sh exited $rc, want 1")
  mapfile -t got < <(sed -n "s|^FAIL $d: \([a-z]*\) .*|\1|p" "$out" | sort -u)
  mapfile -t want < <(sed -n 's/^\([a-z]*\): .*/\1/p' "$d/EXPECT" | sort -u)
  [ "${got[*]:-}" = "${want[*]:-}" ] || problems+=("failed steps: [${got[*]:-}], want [${want[*]:-}]")
  flat="$(tr -s ' \n\t|' ' ' <"$out")"
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    msg="$(printf '%s' "${line#*: }" | tr -s ' \n\t' ' ')"
    case "$flat" in *"$msg"*) ;; *) problems+=("no message: $msg") ;; esac
  done <"$d/EXPECT"
  if [ ${#problems[@]} -eq 0 ]; then
    ok "$name: fails $(tr '\n' ' ' <"$d/EXPECT" | sed 's/ $//')"
  else
    bad "$name: $(printf '%s; ' "${problems[@]}")"; sed 's/^/    /' "$out"
  fi
done

echo
echo "selftest: $pass passed, $fail failed"
[ "$fail" = 0 ]
