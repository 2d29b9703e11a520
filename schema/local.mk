# schema: build fragment (filled in by the module)
