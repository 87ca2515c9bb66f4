# Sidecar: `make run` builds and starts the app, `make test` runs every test.
# Both install what a fresh Debian machine lacks first (tools/install-deps.sh).

SHELL := /bin/bash
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X sidecar/backend/session.Version=$(VERSION)
TAGS_LINUX := webkit2_41
BIN := build/bin/sidecar
DEV_BIN := build/bin/sidecar-dev
WAILS := tools/bin/wails
GO_SOURCES := $(shell find . -name '*.go' -not -path './frontend/*' -not -path './tools/*' -not -path './e2e/*')

.PHONY: run test deps deps-test build build-dev bindings frontend vet test-go test-frontend test-e2e test-portability clean

run: deps build
	./$(BIN)

deps:
	@tools/install-deps.sh run

deps-test:
	@tools/install-deps.sh test

# TypeScript bindings for the methods app.go binds.
bindings: $(WAILS)
	$(WAILS) generate module -tags $(TAGS_LINUX) >/dev/null

$(WAILS): tools/wails/go.mod
	@tools/install-deps.sh run

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend: bindings frontend/node_modules/.package-lock.json
	cd frontend && npm run build

build: frontend
	go build -tags desktop,production,$(TAGS_LINUX) -ldflags "$(LDFLAGS) -s -w" -o $(BIN) .

build-dev: frontend
	go build -tags dev,$(TAGS_LINUX) -ldflags "$(LDFLAGS)" -o $(DEV_BIN) .

vet:
	@unformatted=$$(gofmt -l $(GO_SOURCES)); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...

# Go tests with the race detector, against a real gnome-keyring.
test-go:
	tools/with-keyring.sh go test -race -count=1 -timeout 30m ./...
	# the GPT-J engine again on its plain Go kernels (what CPUs without AVX2 run)
	SIDECAR_KERNELS=go go test -count=1 ./backend/gptj

test-frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm test

# Nothing Linux-only in the app (Windows) or the building blocks (macOS).
test-portability:
	GOOS=windows GOARCH=amd64 go build -tags desktop,production -o /dev/null .
	GOOS=darwin GOARCH=arm64 go build ./backend/...
	GOOS=darwin GOARCH=arm64 go vet ./backend/...
	@echo "portability: windows app and darwin backend build; darwin backend and its tests vet"

e2e/node_modules/.package-lock.json: e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund

# The real UI in Chromium and the real window, under Xvfb, with a real keyring.
test-e2e: build build-dev e2e/node_modules/.package-lock.json
	cd e2e && ../tools/with-keyring.sh xvfb-run -a -s "-screen 0 1440x900x24" npm test

test: deps-test vet test-go test-frontend test-portability test-e2e

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html e2e/out
