#!/usr/bin/env bash
# check.sh [--require-tests] DIR... — prove Terraform root modules with real tools.
#
# For each DIR (a Terraform root module):
#   fmt       tofu fmt -check -recursive -diff DIR
#   init      tofu init -backend=false, providers from the tfcheck mirror only
#   validate  tofu validate (configuration against the real hashicorp/aws schema)
#   test      tofu test, when DIR has tests/ or *.tftest.hcl (mock_provider "aws", command = plan);
#             with --require-tests a DIR without tests fails this step
#   tfsec     tfsec --minimum-severity HIGH DIR: any HIGH or CRITICAL finding fails
# init/validate/test run in a scratch copy of DIR's parent folder (so `../` paths inside the
# project still resolve and nothing — .terraform/, lock file — is written into DIR). A
# .terraform.lock.hcl in DIR is left out of the copy: its hashes are those of the real
# provider, which is not what the mirror serves.
#
# A failing step prints "FAIL DIR: STEP" followed by the engine's own output; steps that need
# an earlier one (validate/test need init, test needs validate) are reported as not run.
# Exit status: 0 when every step of every DIR passed, 1 otherwise, 2 on bad usage.
# TFCHECK_VERBOSE=1 prints the output of passing steps too.
# Tools come from tools.sh (built on first use).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() { echo "usage: $0 [--require-tests] DIR..." >&2; exit 2; }
require_tests=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    --require-tests) require_tests=1; shift ;;
    --) shift; break ;;
    -*) echo "check.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage

tool_env="$("$HERE/tools.sh")" || { echo "tfcheck: the tools could not be built (see above)" >&2; exit 1; }
eval "$tool_env"
: "${TFCHECK_TOFU:?}" "${TFCHECK_TFSEC:?}" "${TF_CLI_CONFIG_FILE:?}"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_DATA_DIR TF_PLUGIN_CACHE_DIR TF_WORKSPACE 2>/dev/null || true

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/tfcheck.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

total_fail=0
declare -a summary=()

# run_step DIR STEP LOG CMD... — run CMD with output to LOG; report.
run_step() {
  local dir="$1" step="$2" log="$3"; shift 3
  local t0=$SECONDS rc=0
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" = 0 ]; then
    local detail=""
    case "$step" in
      test)  detail="$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true)" ;;
      tfsec) grep -q 'No problems detected' "$log" && detail="no HIGH or CRITICAL finding" ;;
    esac
    printf 'ok   %s: %s (%ss%s)\n' "$dir" "$step" "$((SECONDS - t0))" "${detail:+, $detail}"
    [ -z "${TFCHECK_VERBOSE:-}" ] || sed 's/^/    | /' "$log"
    return 0
  fi
  printf 'FAIL %s: %s (exit %s)\n' "$dir" "$step" "$rc"
  sed 's/^/    | /' "$log"
  if [ "$step" = validate ] && grep -qE 'does not support (resource type|data source)' "$log"; then
    echo "    hint: the committed schema (tfcheck/testdata/aws-schema.json) lacks a type used here;"
    echo "          re-run: node tfcheck/schema/extract.js resource:aws_TYPE data:aws_TYPE"
  fi
  return 1
}

n=0
for arg in "$@"; do
  n=$((n + 1))
  if [ ! -d "$arg" ]; then
    echo "FAIL $arg: not a directory"; total_fail=$((total_fail + 1)); summary+=("$arg: not a directory"); continue
  fi
  dir="$(cd "$arg" && pwd)"
  shopt -s nullglob; tfs=("$dir"/*.tf "$dir"/*.tf.json); shopt -u nullglob
  if [ ${#tfs[@]} -eq 0 ]; then
    echo "FAIL $arg: no .tf files (not a root module)"; total_fail=$((total_fail + 1)); summary+=("$arg: no .tf files"); continue
  fi
  echo "== $arg"
  logs="$SCRATCH/logs-$n"; mkdir -p "$logs"
  failed=()

  # fmt: on DIR itself, read-only
  run_step "$arg" fmt "$logs/fmt" "$TFCHECK_TOFU" fmt -check -recursive -diff -no-color "$dir" || failed+=(fmt)

  # scratch copy of the parent folder
  parent="$(dirname "$dir")"; base="$(basename "$dir")"
  work="$SCRATCH/work-$n"; mkdir -p "$work"
  tar -C "$parent" --exclude=.terraform --exclude=.git --exclude='*.tfstate' --exclude='*.tfstate.backup' \
    -cf - . | tar -C "$work" -xf -
  rm -f "$work/$base/.terraform.lock.hcl"
  wdir="$work/$base"

  if run_step "$arg" init "$logs/init" "$TFCHECK_TOFU" -chdir="$wdir" init -backend=false -input=false -no-color; then
    if run_step "$arg" validate "$logs/validate" "$TFCHECK_TOFU" -chdir="$wdir" validate -no-color; then
      shopt -s nullglob; tt=("$wdir"/*.tftest.hcl "$wdir"/*.tftest.json "$wdir"/*.tofutest.hcl "$wdir"/*.tofutest.json); shopt -u nullglob
      if [ -d "$wdir/tests" ] || [ ${#tt[@]} -gt 0 ]; then
        if run_step "$arg" test "$logs/test" "$TFCHECK_TOFU" -chdir="$wdir" test -no-color; then
          if grep -Eq '(^| )0 passed, 0 failed' "$logs/test"; then
            echo "FAIL $arg: test (tests/ exists but no test ran)"; sed 's/^/    | /' "$logs/test"; failed+=(test)
          fi
        else
          failed+=(test)
        fi
      elif [ -n "$require_tests" ]; then
        echo "FAIL $arg: test (--require-tests: no tests/ folder or *.tftest.hcl)"; failed+=(test)
      else
        printf 'ok   %s: test (no tests/ folder, nothing to run)\n' "$arg"
      fi
    else
      failed+=(validate); echo "     $arg: test not run (validate failed)"
    fi
  else
    failed+=(init); echo "     $arg: validate, test not run (init failed)"
  fi

  # tfsec: on DIR itself (static; nothing is written)
  run_step "$arg" tfsec "$logs/tfsec" "$TFCHECK_TFSEC" --minimum-severity HIGH --no-color --concise-output \
    --exclude-downloaded-modules "$dir" || failed+=(tfsec)

  if [ ${#failed[@]} -gt 0 ]; then
    total_fail=$((total_fail + 1)); summary+=("$arg: ${failed[*]}")
  fi
done

echo
if [ "$total_fail" -gt 0 ]; then
  echo "check.sh: $total_fail of $n module(s) failed:"
  printf '  %s\n' "${summary[@]}"
  exit 1
fi
echo "check.sh: all $n module(s) passed fmt, init, validate, test, tfsec"
