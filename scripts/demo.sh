#!/usr/bin/env bash
# The main job (the README's first command): train a small character LSTM on the bundled tiny Shakespeare
# (~3 minutes on 2 cores), print samples, and save it to models/shakespeare_char/ (ignored by git). The
# shipped presets in saved_models/ are separate models, trained with the full recipes; this never touches them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/seqtk train lm --config shakespeare_char --set training.verbose=2 "$@"
.venv/bin/seqtk generate --model models/shakespeare_char --prompt "JULIET:" --sampler top_p --top-p 0.9 \
  --temperature 0.8 --max-length 300 --seed 7
