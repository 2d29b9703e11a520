# bench: benchmarks (not tests). `make` builds the tools; bench/crypto,
# bench/auth and bench/run (every hot path against its ceilings, with a
# report in doc/bench/) run them (doc/benchmarks.md). bench/smoke.py only
# checks that the tools still work (no timing assertions).
noinst_PROGRAMS += bench/crypto_bench bench/db_baseline bench/http_load
bench_crypto_bench_SOURCES = bench/crypto_bench.c
bench_crypto_bench_LDADD = $(PASERV_CORE_LDADD)

bench_db_baseline_SOURCES = bench/db_baseline.c \
	bench/latency.c bench/latency.h
bench_db_baseline_LDADD = src/store/libpastore.a $(PASERV_CORE_LDADD) \
	$(MARIADB_LIBS)

bench_http_load_SOURCES = bench/http_load.c \
	bench/latency.c bench/latency.h
bench_http_load_LDADD = $(PASERV_CORE_LDADD)

dist_noinst_SCRIPTS += bench/crypto bench/auth bench/operations \
	bench/webhooks bench/run bench/run.py
EXTRA_DIST += doc/benchmarks.md doc/bench/report.md doc/bench/results.csv \
	doc/bench/throughput-cloud.svg doc/bench/throughput-mobile.svg \
	doc/bench/latency-p99-cloud.svg doc/bench/latency-p99-mobile.svg \
	doc/bench/latency-32.svg doc/bench/ceilings.svg

# Keeps the tools working (e2e stack; skips without it). No timings.
TESTS += bench/smoke.py
EXTRA_DIST += bench/smoke.py
