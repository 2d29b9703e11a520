# t/e2e: build fragment (filled in by the module)
