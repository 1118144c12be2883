"""Running problems: the pipeline over stages, the bench over a set, reports."""
