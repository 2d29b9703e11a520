# src/service: build fragment (filled in by the module)
