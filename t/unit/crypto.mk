# crypto unit tests (vector-driven)
