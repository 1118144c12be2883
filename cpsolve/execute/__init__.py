"""Execution: candidates x inputs through the sandbox into the execution matrix;
checker equivalence of outputs."""
