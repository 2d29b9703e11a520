# src/device: build fragment (filled in by the module)
