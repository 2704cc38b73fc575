#!/usr/bin/env bash
# tools.sh — build (once) the tools that prove generated Terraform, and print where they are.
#
#   eval "$(tfcheck/tools.sh)"      # exports TFCHECK_TOFU, TFCHECK_TFSEC, TF_CLI_CONFIG_FILE, ...
#
# Builds into the gitignored .tools/ at the repository root, each keyed by version:
#   .tools/tofu-<v>/tofu                 OpenTofu, built from its Go module (go install refuses it)
#   .tools/tfsec-<v>/tfsec               tfsec, go install
#   .tools/tfprovider-<hash>/mirror/     the test-only provider (tfcheck/provider) serving the
#                                        schema in tfcheck/testdata/*-schema.json, laid out as a
#                                        filesystem mirror for registry.opentofu.org and
#                                        registry.terraform.io; <hash> covers sources + schema
#                                        (built from a staged copy in .tools/src/)
#   .tools/tfcheck.tofurc                CLI config: providers come from that mirror only
# A tool that is present is not rebuilt. Anything that cannot be had fails the script
# (exit 1) with the reason; nothing is skipped. Progress goes to stderr, exports to stdout.
#
# Environment: TOFU_VERSION, TFSEC_VERSION override the pins; TFCHECK_TOOLS the folder;
# TFCHECK_GOCACHE the Go build cache used for these builds (default: go env GOCACHE, shared with
# every other build on the machine, so a fresh clone on a machine that built the tools before
# compiles almost nothing; set it to an empty folder to measure a cold build).
set -euo pipefail

TOFU_VERSION="${TOFU_VERSION:-1.10.6}"
TFSEC_VERSION="${TFSEC_VERSION:-1.26.0}"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
TOOLS="${TFCHECK_TOOLS:-$ROOT/.tools}"

say() { printf 'tools.sh: %s\n' "$*" >&2; }
die() { printf 'tools.sh: error: %s\n' "$*" >&2; exit 1; }

for cmd in go sha256sum flock; do
  command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is not installed (needed to build the tfcheck tools)"
done

mkdir -p "$TOOLS"
TOOLS="$(cd "$TOOLS" && pwd)"
export GOCACHE="${TFCHECK_GOCACHE:-$(go env GOCACHE)}"
export GOFLAGS="-buildvcs=false"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CGO_ENABLED=0
GOOS_ARCH="$(go env GOOS)_$(go env GOARCH)"

# One builder at a time (make -j, two shells).
exec 9>"$TOOLS/.tools.lock"
flock 9

TOFU="$TOOLS/tofu-$TOFU_VERSION/tofu"
TFSEC="$TOOLS/tfsec-$TFSEC_VERSION/tfsec"

# ------------------------------------------------------------------ builders
build_tofu() {
  local log="$1" src dir
  dir="$(go mod download -json "github.com/opentofu/opentofu@v$TOFU_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] && [ -d "$dir" ] || { echo "go mod download gave no directory for opentofu v$TOFU_VERSION" >>"$log"; return 1; }
  src="$TOOLS/src/opentofu-$TOFU_VERSION"
  rm -rf "$src"; mkdir -p "$TOOLS/src"
  cp -r "$dir" "$src"; chmod -R u+w "$src"      # the module cache is read-only
  mkdir -p "$(dirname "$TOFU")"
  ( cd "$src" && go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
      -o "$TOFU.tmp" ./cmd/tofu ) >>"$log" 2>&1 || return 1
  mv "$TOFU.tmp" "$TOFU"
  rm -rf "$src"
}

build_tfsec() {
  local log="$1"
  mkdir -p "$(dirname "$TFSEC")"
  GOBIN="$(dirname "$TFSEC")" go install -trimpath -ldflags "-s -w" \
    "github.com/aquasecurity/tfsec/cmd/tfsec@v$TFSEC_VERSION" >>"$log" 2>&1
}

# The provider is built from a staged copy of tfcheck/provider with the schema files in its
# schemas/ folder (embedded); the cache key is a hash of exactly what is staged.
stage_provider() {
  local stage="$1"
  rm -rf "$stage"; mkdir -p "$stage"
  cp -r "$HERE/provider/." "$stage/"
  rm -f "$stage/schemas/"*-schema.json
  cp "$HERE/testdata/"*-schema.json "$stage/schemas/"
}

provider_hash() {
  ( cd "$1" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.json' \) \
      ! -name '*_test.go' | LC_ALL=C sort | xargs cat ) | sha256sum | cut -c1-12
}

build_provider() {
  local log="$1" pdir="$2" stage="$3" bin t v
  bin="$pdir/bin/terraform-provider-tfcheck"
  mkdir -p "$pdir/bin"
  ( cd "$stage" && go build -trimpath -ldflags "-s -w" -o "$bin" . ) >>"$log" 2>&1 || return 1
  # one mirror entry per provider type whose schema is embedded, under both registries
  for f in "$stage/schemas/"*-schema.json; do
    t="$(basename "$f" -schema.json)"
    v="$(sed -n 's/^ *"provider_version": "\([^"]*\)".*/\1/p' "$f" | head -n1)"
    [ -n "$v" ] || { echo "$f has no tfcheck.provider_version" >>"$log"; return 1; }
    for host in registry.opentofu.org registry.terraform.io; do
      mkdir -p "$pdir/mirror/$host/hashicorp/$t/$v/$GOOS_ARCH"
      cp "$bin" "$pdir/mirror/$host/hashicorp/$t/$v/$GOOS_ARCH/terraform-provider-${t}_v$v"
    done
  done
  rm -rf "$stage"
}

# Run the missing builds side by side (they share two cores better than one after another).
declare -a names=() pids=() logs=()
start() { # name fn args... — runs fn LOG args... in the background
  local name="$1" fn="$2" log="$TOOLS/build-$1.log"; shift 2
  : >"$log"
  say "building $name (log: ${log#"$ROOT"/})"
  timed "$fn" "$log" "$@" & pids+=($!); names+=("$name"); logs+=("$log")
}
timed() { local t0=$SECONDS rc=0; "$@" || rc=$?; echo "tfcheck: took $((SECONDS - t0))s, exit $rc" >>"$2"; return $rc; }

if [ ! -x "$TOFU" ]; then start "opentofu-$TOFU_VERSION" build_tofu; fi
if [ ! -x "$TFSEC" ]; then start "tfsec-$TFSEC_VERSION" build_tfsec; fi
STAGE="$TOOLS/src/provider-stage"
stage_provider "$STAGE"
PHASH="$(provider_hash "$STAGE")"
PDIR="$TOOLS/tfprovider-$PHASH"
if [ -f "$PDIR/.done" ]; then
  rm -rf "$STAGE"
else
  rm -rf "$PDIR"; start "tfcheck-provider-$PHASH" build_provider "$PDIR" "$STAGE"
fi

failed=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    say "built ${names[$i]} ($(tail -n1 "${logs[$i]}" | sed -n 's/^tfcheck: took \([0-9]*s\).*/\1/p'))"
  else
    failed=1
    say "FAILED to build ${names[$i]}; its log:"
    tail -n 40 "${logs[$i]}" >&2
  fi
done
[ "$failed" = 0 ] || die "a tool could not be built (see above)"
[ -d "$PDIR/mirror" ] && touch "$PDIR/.done"
# older provider builds (another source or schema) are no longer used
for old in "$TOOLS"/tfprovider-*; do
  [ "$old" = "$PDIR" ] || rm -rf "$old" "$TOOLS/build-${old##*/}.log" "$TOOLS/build-tfcheck-provider-${old##*tfprovider-}.log"
done

# ------------------------------------------------------------------ sanity + config
tofu_version_json="$("$TOFU" version -json 2>/dev/null)" || die "$TOFU does not run"
case "$tofu_version_json" in
  *"\"terraform_version\": \"$TOFU_VERSION\""*) ;;
  *) die "$TOFU does not report version $TOFU_VERSION: $tofu_version_json" ;;
esac
"$TFSEC" --version >/dev/null 2>&1 || die "$TFSEC does not run"
[ -d "$PDIR/mirror" ] || die "provider mirror $PDIR/mirror is missing"

CLICONF="$TOOLS/tfcheck.tofurc"
cat >"$CLICONF.tmp" <<EOF
# Written by tfcheck/tools.sh. Providers come only from the tfcheck mirror;
# there is no direct installation, so a provider that is not there fails init.
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path = "$PDIR/mirror"
  }
}
EOF
mv "$CLICONF.tmp" "$CLICONF"

cat <<EOF
export TFCHECK_TOFU='$TOFU'
export TFCHECK_TFSEC='$TFSEC'
export TFCHECK_MIRROR='$PDIR/mirror'
export TF_CLI_CONFIG_FILE='$CLICONF'
EOF
say "tofu $TOFU_VERSION: ${TOFU#"$ROOT"/}"
say "tfsec $TFSEC_VERSION: ${TFSEC#"$ROOT"/}"
say "provider mirror: ${PDIR#"$ROOT"/}/mirror"
say "CLI config: ${CLICONF#"$ROOT"/}"
