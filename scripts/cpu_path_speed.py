"""Chapter 1's model, trained on each CPU code path, side by side in one run.

    python scripts/cpu_path_speed.py [--rounds 3] [--images 12800]

Each measurement is a fresh child process with TF_ENABLE_ONEDNN_OPTS=0 (Eigen) or =1 (oneDNN),
alternating, so that a busy moment on a shared machine does not favour one path. A child
builds chapter 1's model (the Keras mnist_convnet example's layers), trains it as chapter 1
does (set_seed(42), Adam, batches of 64) for one warm-up epoch on 640 images, then times one
epoch on --images MNIST training images. Prints images per second per run, and the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

CHILD = """
import sys, time
import helpers
from helpers.data import load_mnist
from helpers.runtime import set_seed
import keras

images = int(sys.argv[1])
(x, y), _ = load_mnist()
x = (x[:images, :, :, None] / 255.0).astype("float32")
y = y[:images]
set_seed(42)
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(2),
    keras.layers.Flatten(), keras.layers.Dropout(0.5),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x[:640], y[:640], epochs=1, batch_size=64, verbose=0)
start = time.perf_counter()
model.fit(x, y, epochs=1, batch_size=64, verbose=0)
print(images / (time.perf_counter() - start))
"""


def measure(onednn: str, images: int) -> float:
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=onednn, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(images)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=12_800)
    args = parser.parse_args()
    if args.rounds < 1 or args.images < 640:
        parser.error("expected --rounds >= 1 and --images >= 640")
    speeds = {"Eigen": [], "oneDNN": []}
    for round_ in range(1, args.rounds + 1):
        for name, value in (("Eigen", "0"), ("oneDNN", "1")):
            speeds[name].append(measure(value, args.images))
            print(f"round {round_}, {name:6}: {speeds[name][-1]:7,.0f} images/s", flush=True)
    eigen, onednn = (statistics.median(speeds[n]) for n in ("Eigen", "oneDNN"))
    print(f"median  Eigen {eigen:,.0f} images/s, oneDNN {onednn:,.0f} images/s: "
          f"oneDNN x{onednn / eigen:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
