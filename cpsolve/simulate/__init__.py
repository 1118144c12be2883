"""The simulated model: a test instrument that mutates a problem's own solutions.

No production module imports it; the engine registry names it by string."""
