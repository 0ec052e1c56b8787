# make run   serves the embedded catalog on http://localhost:8080/calendar.ics
# make test  installs what the tests need, then runs every test

.PHONY: run test test-deps fuzz loadtest

run:
	go run ./cmd/feed

test-deps:
	./scripts/test-deps

# FEED_REQUIRE_CLIENTS turns "ical.js or libical is missing" from a skip
# into a failure, so that this target never passes without them.
test: test-deps
	go mod tidy -diff
	go vet ./...
	"$$(go env GOPATH)/bin/staticcheck" ./...
	FEED_REQUIRE_CLIENTS=1 FEED_SCREENSHOT_DIR=$(CURDIR)/out/screenshots go test -race -count=1 ./...
	go test -count=1 -run='Allocations' .
	$(MAKE) fuzz

# Each fuzzer runs for a bounded time; a failing input is kept under
# testdata/fuzz and then runs as a regular test. Minimizing each new input
# is bounded too: with a large seed it took some 10 s of a 15 s run.
FUZZTIME ?= 15s
fuzz:
	go test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./events
	go test -run='^$$' -fuzz='^FuzzVariantQuery$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s .
	go test -run='^$$' -fuzz='^FuzzTextRoundTrip$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/ical
	go test -run='^$$' -fuzz='^FuzzCleanPath$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/router
	go test -run='^$$' -fuzz='^FuzzPropfind$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s .
	go test -run='^$$' -fuzz='^FuzzExportPaths$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/export
	go test -run='^$$' -fuzz='^FuzzNotice$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/notice
	go test -run='^$$' -fuzz='^FuzzPageQuery$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s .
	go test -run='^$$' -fuzz='^FuzzSearchAnswer$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/noticefetch

# Load and fault scenarios against a built binary on loopback (about a
# minute): sustained load, slow clients, SIGTERM under load, a broken
# catalog under load. QUICK=1 shortens them.
loadtest:
	go run ./loadtest $(if $(QUICK),-quick)
