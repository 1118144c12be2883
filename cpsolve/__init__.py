"""cpsolve: solve competitive-programming problems with test-time compute."""

__version__ = "0.1.0"
