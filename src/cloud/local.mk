# src/cloud: build fragment (filled in by the module)
