# Address math (addr6) and the JSON config loader (conf*): sources, unit tests.
