# make bench: closewise against nginx and Node.js on loopback (issue 4; bench/README.md).
# Not part of `make test`: it wants a quiet machine and takes about ten minutes with the defaults.
#
# Options, all optional (the defaults live in bench/run_bench.py --help):
#   RUNS=3 DURATION=10 WARMUP=1 CONNECTIONS=100 IDLE=10000 INFLIGHT=100
#   PIPELINE_REQUESTS=500000 KQ_QUERIES=20 KQ_ESTABLISHED=10000 KQ_TIME_WAITS=20000
#   SERVERS=closewise,nginx,node
#   SCENARIOS=keepalive,churn,pipeline,idle_memory,drain,admin,kernel_query,proxy,ws_echo,
#             ws_idle_memory
#   WS_CONNECTIONS=100 WS_IN_FLIGHT=8 WS_IDLE=10000
#   WORKERS_SCALING=1 (also closewise --workers 1 vs 2) RESULTS_DIR=bench/results
#
# make bench-kernel-query: the C++ micro-benchmark of the kernel-state reader alone
# (bench/kernel_query_bench.cc: sock_diag vs procfs vs ss, and the alert tick's read as a dump and
# through its own descriptors, 100 queries each, about two minutes).

BENCH_FLAGS = \
  $(if $(RUNS),--runs $(RUNS)) \
  $(if $(DURATION),--duration $(DURATION)) \
  $(if $(WARMUP),--warmup $(WARMUP)) \
  $(if $(CONNECTIONS),--connections $(CONNECTIONS)) \
  $(if $(IDLE),--idle $(IDLE)) \
  $(if $(INFLIGHT),--inflight $(INFLIGHT)) \
  $(if $(PIPELINE_REQUESTS),--pipeline-requests $(PIPELINE_REQUESTS)) \
  $(if $(KQ_QUERIES),--kq-queries $(KQ_QUERIES)) \
  $(if $(KQ_ESTABLISHED),--kq-established $(KQ_ESTABLISHED)) \
  $(if $(KQ_TIME_WAITS),--kq-time-waits $(KQ_TIME_WAITS)) \
  $(if $(WS_CONNECTIONS),--ws-connections $(WS_CONNECTIONS)) \
  $(if $(WS_IN_FLIGHT),--ws-in-flight $(WS_IN_FLIGHT)) \
  $(if $(WS_IDLE),--ws-idle $(WS_IDLE)) \
  $(if $(SERVERS),--servers $(SERVERS)) \
  $(if $(SCENARIOS),--scenarios $(SCENARIOS)) \
  $(if $(filter 1 yes true,$(WORKERS_SCALING)),--workers-scaling) \
  $(if $(RESULTS_DIR),--results-dir $(RESULTS_DIR))

.PHONY: bench-kernel-query

bench: deps-test build $(BUILD)/bench/ws_load
	python3 bench/run_bench.py --closewise $(BUILD)/bin/closewise \
	  --ws-load $(BUILD)/bench/ws_load $(BENCH_FLAGS)

# Compiled on its own: the reader is kernel/, a leaf with no dependency beyond the C++ library.
$(BUILD)/bench/kernel_query_bench: bench/kernel_query_bench.cc $(wildcard kernel/*.cc kernel/*.h)
	@mkdir -p $(@D)
	$(CXX) -O2 -std=c++20 -I. bench/kernel_query_bench.cc $(wildcard kernel/*.cc) -o $@

bench-kernel-query: $(BUILD)/bench/kernel_query_bench
	taskset -c 1 $(BUILD)/bench/kernel_query_bench

# The WebSocket load generator: the frame codec (protocol/, no dependency beyond the C++ library)
# and libuv, nothing else of closewise.
$(BUILD)/bench/ws_load: bench/ws_load.cc $(wildcard protocol/websocket_frame.* protocol/utf8.*)
	@mkdir -p $(@D)
	$(CXX) -O2 -std=c++20 -I. bench/ws_load.cc protocol/websocket_frame.cc protocol/utf8.cc -luv -o $@
