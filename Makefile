# The two commands of the README: `make run` and `make test`.

.PHONY: run test fuzz build bench bench-encryption bench-mix profile-intake bench-open bench-campaign bench-console bench-analytics chaos soak postgres chromium

run: postgres
	go run ./cmd/redress dev

test: postgres chromium
	go vet ./...
	go test -count=1 -timeout 30m ./...

# The model tests with thousands of fresh cases (make test checks 300 from a
# fixed seed); rapid shrinks a failure to a minimal case and saves it under
# testdata/rapid/ to replay.
fuzz:
	go test -count=1 -run 'MatchesTheModel|MatchTheModel' -timeout 30m . ./workflows/ -rapid.checks=5000 -rapid.seed=0

build:
	go build -o bin/redress ./cmd/redress

bench: postgres
	go test -run '^$$' -bench Intake -benchtime 1x -timeout 30m ./bench/
	go test -run '^$$' -bench LifecycleCost -benchtime 1x ./bench/
	go test -run '^$$' -bench LiveUpdate -benchtime 200x ./bench/
	go test -run '^$$' -bench SharedRateLimit -benchtime 3s ./bench/
	go test -run '^$$' -bench InboundMail -benchtime 1x ./bench/
	go test -run '^$$' -bench IntakeDuplicateCheck -benchtime 1x ./bench/

# The production shape as processes with faults injected (also in make test):
# two API and two worker processes on Temporal persisted in PostgreSQL with
# four shards; 500 complaints while a worker is killed five times and an API
# once; PostgreSQL stopped for 30 s, then the Temporal server killed and
# started again 30 s later. About 6 minutes.
chaos: postgres
	go test -count=1 -run 'TestProductionShape|TestChaos' -v -timeout 20m ./e2e/

# Ten minutes of the production shape with every action in the mix, at
# SOAK_RATE complaints a second (half of what make bench-mix measured on two
# cores; see BENCHMARKS.md): nothing lost, no 5xx (a 503 included), the
# processes' memory reported. The workers' cache of SOAK_CACHE workflows
# fills in the first minutes.
SOAK_RATE ?= 3
SOAK_CACHE ?= 300
soak: postgres
	go test -count=1 -run TestSoak -v -timeout 30m ./e2e/ -soak=10m -soak.rate=$(SOAK_RATE) -soak.cache=$(SOAK_CACHE) -soak.strict

# What the production shape carries with every action in the mix: 16
# clients each run one complaint's script after another for 4 minutes; the
# complaints a second after the first minute are its capacity, which make
# soak runs at half of. About 7 minutes.
bench-mix: postgres
	go test -run '^$$' -bench MixCapacity -benchtime 1x -timeout 30m ./e2e/

# Encryption at rest: the same load on the last commit before it and on
# this tree, and an erasure of 100 complaints.
bench-encryption: postgres
	go test -run '^$$' -bench EncryptionAtRest -benchtime 1x -timeout 30m ./bench/

# A CPU profile of the whole dev stack (API, worker and Temporal in one
# process) while 64 clients file 2,000 complaints on Temporal on PostgreSQL
# with four shards; read it with go tool pprof -top /tmp/redress-intake.pprof.
profile-intake: postgres
	go test -run '^$$' -bench 'Intake/postgres-4-shards/clients=64/complaints' -benchtime 1x -timeout 30m -cpuprofile /tmp/redress-intake.pprof ./bench/

# 10,000 complaints open at once on the production shape: the worker's RSS
# and CPU, how soon they all escalate, and a minute of the worker's CPU
# profile during the escalations (its path is printed). About 12 minutes.
bench-open: postgres
	go test -run '^$$' -bench OpenComplaints -benchtime 1x -timeout 40m ./bench/

# A retention campaign of 10,000 customers on the dev stack: about 14 minutes.
bench-campaign: postgres
	go test -run '^$$' -bench Campaign -benchtime 1x -timeout 40m ./bench/

# The console's queue pages over a million complaints (p50 and p99 per queue
# and search): about 4 minutes, most of it loading the complaints.
bench-console: postgres
	go test -run '^$$' -bench QueuePage -benchtime 1x -timeout 30m -v ./bench/

# At 10^4, 10^5 and 10^6 complaints loaded straight into PostgreSQL: the
# rollups' rebuild, then the analytics endpoints and the complaint list
# under every filter and pair of filters, over HTTP (p50 and p99).
bench-analytics: postgres
	go test -run '^$$' -bench 'Analytics|DuplicateCheckAt1M' -benchtime 1x -timeout 60m ./bench/

postgres:
	@./scripts/ensure-postgres.sh

chromium:
	@./scripts/ensure-chromium.sh
