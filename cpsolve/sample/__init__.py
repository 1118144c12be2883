"""Sampling: engines behind one protocol, prompts per role, program extraction, and the
sampling stage."""
