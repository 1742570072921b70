"""Protocol-faithful fake servers for tests and benchmarks (real sockets on 127.0.0.1)."""
