"""Train skser's pretrained model and store it in the package.

    python scripts/build_pretrained.py            # writes skser/data/pretrained.skser

The recipe is `skser._pretrained.make_pretrained_pipeline` (skser's default
ensemble adapting per recording domain, chosen by the nested
leave-one-corpus-out choice of `benchmarks/cross_corpus.py`); the data every
clip of the six CREMA-D emotions in RAVDESS, EmoDB and SAVEE
(``../shared/data``), each corpus its own recording domain, each speaker its
own group (the ensemble weighs its members on an inner split over them). The
file holds the network's ONNX graph too, so that it predicts without
TensorFlow. The file carries its model card's essentials as metadata
(`skser.model_metadata`): classes, training clips per corpus, recipe,
licence. Deterministic for a given environment (seed 0).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import cross_corpus  # noqa: E402
from _common import SHARED_DATA, machine  # noqa: E402

# How the model file's metadata names the corpora it was trained on.
NAMES = {"ravdess": "RAVDESS speech (16 kHz copy)", "emodb": "Berlin EmoDB",
         "savee": "SAVEE (16 kHz copy)"}


def main(argv=None):
    import sklearn

    from skser import save_model
    from skser._pretrained import (
        PRETRAINED_CLASSES, PRETRAINED_FILE, PRETRAINED_LICENCE, PRETRAINED_RECIPE,
        make_pretrained_pipeline,
    )

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=PRETRAINED_FILE)
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.error(f"{SHARED_DATA} is absent: the corpora are needed to train.")
    # Every clip of the six classes of each corpus, the corpus of each clip.
    data = cross_corpus.load_corpora()
    keep = np.isin(data.target, PRETRAINED_CLASSES)
    paths, labels, corpus = data.filenames[keep].tolist(), data.target[keep], data.corpus[keep]
    speakers = data.groups[keep]  # "corpus:speaker"
    pipeline = make_pretrained_pipeline(random_state=0)
    start = time.perf_counter()
    with sklearn.config_context(enable_metadata_routing=True):
        pipeline.fit(paths, labels, domains=corpus, groups=speakers)
    seconds = time.perf_counter() - start
    counts = {name: int((corpus == name).sum()) for name in NAMES}
    metadata = {
        "name": "skser pretrained emotion model",
        "classes": list(PRETRAINED_CLASSES),
        "trained_on": {NAMES[n]: c for n, c in counts.items()},
        "recipe": dict(PRETRAINED_RECIPE),
        "licence": PRETRAINED_LICENCE,
        "card": "docs/pretrained.md",
        "built_by": "python scripts/build_pretrained.py",
        "machine": machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_model(pipeline, args.out, metadata=metadata)
    print(f"Trained on {len(paths)} clips ({counts}) in {seconds:.0f} s; "
          f"{args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
