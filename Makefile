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
export FUZZTIME
fuzz:
	./scripts/fuzz-one ./events FuzzParse
	./scripts/fuzz-one . FuzzVariantQuery
	./scripts/fuzz-one ./internal/ical FuzzTextRoundTrip
	./scripts/fuzz-one ./internal/router FuzzCleanPath
	./scripts/fuzz-one . FuzzPropfind
	./scripts/fuzz-one ./internal/export FuzzExportPaths
	./scripts/fuzz-one ./internal/notice FuzzNotice
	./scripts/fuzz-one . FuzzPageQuery
	./scripts/fuzz-one . FuzzDaysPath
	./scripts/fuzz-one . FuzzCalendarName
	./scripts/fuzz-one . FuzzDiscoveryLang
	./scripts/fuzz-one ./internal/noticefetch FuzzSearchAnswer

# Load and fault scenarios against a built binary on loopback (about a
# minute): sustained load, slow clients, SIGTERM under load, a broken
# catalog under load. QUICK=1 shortens them.
loadtest:
	go run ./loadtest $(if $(QUICK),-quick)
