# Ordinator. `make run` starts the platform embedded; `make test` checks
# everything against real PostgreSQL and MinIO (installed or started as
# needed). `make run` needs only Go; `generate` and `test` also need node and
# npm for the TypeScript client in clients/ts.

GO       ?= go
BUF      := $(GO) tool -modfile=tools.mod buf
STATICCHECK := $(GO) tool -modfile=tools.mod staticcheck
PKGS     := ./...
TSDEPS   := clients/ts/node_modules/.package-lock.json
BENCHTIME ?= 1x
# The version `ordinator version` and GetServerInfo report: the nearest tag,
# commits since and the commit ("v1.4.0-3-gabc1234", "-dirty" with local
# changes), or the commit alone before the first tag.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS  := -X main.version=$(VERSION)

.PHONY: run test bench generate checkgenerate lint fmtcheck vet services build bindcheck tstest

run:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/ordinator serve

build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/ordinator ./cmd/ordinator

test: fmtcheck vet lint checkgenerate bindcheck services $(TSDEPS)
	$(GO) test -race -timeout 25m $(PKGS)

# The TypeScript client's test alone, against a real `ordinator serve --demo`
# (also part of `test`, through go test).
tstest: $(TSDEPS)
	$(GO) test -run '^TestTypeScript' ./cmd/ordinator

# Benchmarks print their own figures (rows/s, p50/p99...) besides ns/op.
bench: services
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 60m $(PKGS)

# What the tests need beyond Go: PostgreSQL binaries (or a running server),
# the pinned MinIO server, installed once into the user cache, and Chromium
# for the console's browser tests.
services:
	./deploy/dev/ensure-postgres.sh
	./deploy/dev/ensure-chromium.sh
	./deploy/dev/ensure-pgbouncer.sh
	./deploy/dev/ensure-poppler.sh
	$(GO) run ./deploy/testenv/cmd/testenv install-minio >/dev/null

# The mobile SDK's facade binds for Android and iOS: gobind (pinned in
# tools.mod) skips no symbol and its Java compiles (needs javac).
bindcheck:
	GO=$(GO) ./deploy/dev/bindcheck.sh

# The TypeScript client's pinned packages (protoc-gen-es among them), as the
# lockfile has them; installed again when the lockfile changes.
$(TSDEPS): clients/ts/package.json clients/ts/package-lock.json
	npm ci --prefix clients/ts --no-audit --no-fund
	@touch $@

generate: $(TSDEPS)
	$(BUF) generate

# Fails when the generated code in api/ or clients/ts/src/gen does not match
# the protos.
GENERATED := api clients/ts/src/gen
checkgenerate: generate
	@if ! git diff --quiet -- $(GENERATED) || [ -n "$$(git ls-files --others --exclude-standard -- $(GENERATED))" ]; then \
		git status --short -- $(GENERATED); \
		echo "generated code is stale: run 'make generate' and commit the result"; exit 1; fi

# buf lint and the breaking check against main for the protos;
# staticcheck (pinned in tools.mod) for the Go code, tests included.
lint:
	$(BUF) lint
	@if git rev-parse -q --verify main >/dev/null; then $(BUF) breaking --against '.git#branch=main'; fi
	$(STATICCHECK) $(PKGS)

fmtcheck:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^api/')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)
