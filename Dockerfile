# cpsolve for GPU hosts: vLLM (CUDA) plus cpsolve, for `cpsolve sample|run|bench` at scale.
#
#   docker build -t cpsolve-gpu .
#   docker run --rm --gpus all --ipc=host -v /models:/models:ro -v "$PWD/runs:/opt/cpsolve/runs" \
#       cpsolve-gpu sample problems/street-lamps --engine vllm --model /models/my-model \
#       --n 1000 --out runs/street-lamps.samples.jsonl.gz
#
# Programs run in the local sandbox inside this container (bubblewrap; needs --privileged or
# the seccomp/apparmor relaxations in docs/docker.md), or in sandbox containers beside it when
# the host's Docker socket is mounted (-v /var/run/docker.sock:/var/run/docker.sock).
# See docs/docker.md. The base image is vLLM's official one; pick its tag with VLLM_IMAGE.
ARG VLLM_IMAGE=vllm/vllm-openai:v0.11.0
FROM ${VLLM_IMAGE}

# g++ compiles C/C++ candidates; bubblewrap is the local sandbox.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends g++ bubblewrap \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/cpsolve
COPY pyproject.toml README.md ./
COPY cpsolve ./cpsolve
COPY problems ./problems
# vLLM and torch come from the base image: install cpsolve without touching them.
# editable; the in-box runner (cpsolve/sandbox/runner/) ships inside the package
RUN pip install --no-cache-dir -e . \
 && python3 -c "import vllm, cpsolve.sample.engines.vllm_engine; print('vllm', vllm.__version__)"

ENV HF_HUB_OFFLINE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /opt/cpsolve
ENTRYPOINT ["cpsolve"]
CMD ["--help"]
