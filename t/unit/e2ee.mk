# e2ee/protocol unit tests (vector-driven)
