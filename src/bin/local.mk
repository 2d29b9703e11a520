# src/bin: build fragment (filled in by the module)
