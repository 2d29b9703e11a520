# crypto: keys, codes, fingerprints, signatures, tokens, vault, at-rest encryption
