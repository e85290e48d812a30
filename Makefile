# The two commands of the README: `make run` and `make test`.

.PHONY: run test build bench postgres chromium

run: postgres
	go run ./cmd/redress dev

test: postgres chromium
	go vet ./...
	go test -count=1 ./...

build:
	go build -o bin/redress ./cmd/redress

bench: postgres
	go test -run '^$$' -bench 'Intake|StartWorkflow' -benchtime 2000x ./bench/
	go test -run '^$$' -bench LifecycleCost -benchtime 1x ./bench/

postgres:
	@./scripts/ensure-postgres.sh

chromium:
	@./scripts/ensure-chromium.sh
