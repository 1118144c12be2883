"""Selection, pure and free of I/O: the execution matrix, clusters, scores, the plan,
baselines, tuning."""
