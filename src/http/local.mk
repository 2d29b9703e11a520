# src/http: build fragment (filled in by the module)
