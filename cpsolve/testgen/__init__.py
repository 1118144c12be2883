"""Model-written tests: generators and validators turned into a validated input set."""
