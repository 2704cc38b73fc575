# wsqgen's own build and tests. `make test` is what CI runs (.ci/run).
GO ?= go

.PHONY: test tfcheck golden-update build bench fmt-check

## test: everything CI checks: formatting, vet, unit, golden, acceptance and generated-code tests,
## then the Terraform chain (OpenTofu validate/test against the real AWS schema, tfsec) on every golden project
test: fmt-check
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(MAKE) tfcheck

## tfcheck: build the tools into .tools/ when missing, prove the chain catches mistakes, check golden Terraform
## (every golden project must ship tests: --require-tests)
tfcheck:
	tfcheck/selftest.sh
	tfcheck/check.sh --require-tests golden/*/terraform

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## golden-update: rewrite golden/ from the templates; read `git diff golden/` before committing
golden-update:
	$(GO) test ./generator -run TestGolden -update

## build: the wsqgen binary
build:
	$(GO) build -o wsqgen ./cmd/wsqgen

## bench: rendering speed and allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./generator
