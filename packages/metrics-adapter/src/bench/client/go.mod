module beacon/metrics-adapter/bench/client

go 1.22
