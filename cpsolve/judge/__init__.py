"""Judging one program: checkers, task types, test data, and scoring with hidden tests."""
