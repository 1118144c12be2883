"""The judge as a grading service and reward function for reinforcement learning on code.

`cpsolve serve SET_DIR` answers `POST /grade` with the verdict, points and a reward; the adapters
in `cpsolve.serve.adapters` turn a completion into a reward for TRL and verl, through the service
or in-process. A sandbox failure is never a wrong answer: it has status `infra` and no reward.
Needs the `serve` extra (FastAPI, uvicorn, prometheus-client). See docs/serve.md.
"""
