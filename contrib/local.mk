# Example configs, demo and benchmark scripts.
