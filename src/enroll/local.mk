# src/enroll: build fragment (filled in by the module)
