# src/store: build fragment (filled in by the module)
