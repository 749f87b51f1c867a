# passerelle — every target documented with '##'; `make help` lists them.
SHELL := /bin/bash
GO ?= go
BIN := bin/passerelle
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
PASSERELLE_SHARED ?= $(abspath $(CURDIR)/../shared)
export PASSERELLE_SHARED

.PHONY: help build run test test-short test-integration bench bench-scale load fuzz lint fmt tidy-check generate deps clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## build bin/passerelle
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/passerelle

run: build ## harvest the bundled demo catalog into ./data, then serve it on 127.0.0.1:8080 (embedded store, no Redis)
	./$(BIN) harvest
	./$(BIN) serve --addr 127.0.0.1:8080

deps: ## install what the tests need (Debian packages, Redis) when missing
	@scripts/test-deps.sh

test: ## go vet + every test with the race detector, real Redis, OWSLib, rdflib, serdi, SHACL (installs what is missing)
	scripts/test.sh

test-short: ## quick tests: no Redis, no external tools
	$(GO) test -short -count=1 ./...

test-integration: ## only the tests that talk to Redis and external tools
	scripts/test.sh -run 'Redis|OWSLib|SHACL|RDFLib|Serdi|Integration'


bench: build ## Go benchmarks (parse, map, harvest, stores, serve heap), the one-core parse figure and the bounded wrk load scripts
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./...
	$(GO) test -run '^$$' -bench 'ParseCorpus' -benchmem -benchtime 2s -cpu 1 ./iso
	scripts/bench-http.sh

load: build ## faults survived under load, ~3 min on loopback: wrk during harvests, Redis killed mid-harvest, SIGKILL mid-harvest, push faults (LOAD_DURATION=60)
	scripts/load.sh

bench-scale: build ## scale benchmark: N real-size records (N=5000 by default) harvested and served on bbolt and Redis (scripts/bench-scale.sh)
	scripts/bench-scale.sh $${N:-5000}

fuzz: ## run every fuzz target briefly (FUZZTIME=10s)
	@scripts/fuzz.sh $${FUZZTIME:-10s}

lint: ## gofmt, go vet, staticcheck (unused code, bugs), the dependency rules and govulncheck (skipped, saying so, without network)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -checks 'U1000,SA*' ./...
	$(GO) test -count=1 -run 'TestPackageRules' .
	@GO=$(GO) scripts/govulncheck.sh

fmt: ## gofmt every file
	gofmt -w $$(git ls-files '*.go')

tidy-check: ## fail when go.mod/go.sum are not tidy
	$(GO) mod tidy -diff

generate: ## regenerate generated sources (vocabulary tables)
	$(GO) generate ./...

clean: ## remove build output and the local store
	rm -rf bin data .test-env
