# nginx: build fragment (filled in by the module)
