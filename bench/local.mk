# bench: benchmarks (not tests). `make bench/crypto_bench` then bench/crypto.
noinst_PROGRAMS += bench/crypto_bench
bench_crypto_bench_SOURCES = bench/crypto_bench.c
bench_crypto_bench_LDADD = $(PASERV_CORE_LDADD)
dist_noinst_SCRIPTS += bench/crypto
