"""Python functions used by the runnable-compatible example pipelines (importable as examples.python.*)."""
