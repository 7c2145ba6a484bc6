"""Peak memory of ``transform`` and of ``fit`` on a memory-mapped array.

For each size, a fresh subprocess (1) encodes N in-memory uint8 32x32x3 images
with a fitted AE1Encoder and reports how much the peak resident memory grew,
against the size of the latent output (the goal: growth <= output + 256 MiB,
i.e. no float32 copy of the input), and (2) fits an AE1Encoder for one epoch
on an ``np.memmap`` of the images and reports the growth of anonymous memory
(the mapped file's pages are page cache, not copies).

Usage::

    python benchmarks/bench_memory.py                 # 10k, 50k, 100k images
    python benchmarks/bench_memory.py --sizes 2000    # smoke size
"""

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile

import numpy as np

MiB = 2**20

CHILD = r"""
import json, pickle, sys
import numpy as np

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0

def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")

mode, model_path, data_path = sys.argv[1:4]
from sk_aecluster import AE1Encoder
if mode == "transform":
    ae = pickle.load(open(model_path, "rb"))
    X = np.array(np.load(data_path, mmap_mode="r"))  # in memory, uint8
    ae.transform(X[:64])
    base = status("VmRSS"); reset_peak()
    Z = ae.transform(X)
    print(json.dumps({"growth": status("VmHWM") - base, "output": Z.nbytes, "input": X.nbytes}))
else:
    X = np.load(data_path, mmap_mode="r")
    ae = AE1Encoder(max_epochs=1, random_state=0)
    ae.fit(X[:64])
    base = status("RssAnon"); peak = base
    from skorch.callbacks import Callback
    class Watch(Callback):
        def on_batch_end(self, net, **kw):
            global peak
            peak = max(peak, status("RssAnon"))
    ae.set_params(callbacks=[Watch()]).fit(X)
    print(json.dumps({"growth": peak - base, "input": X.nbytes,
                      "is_memmap": isinstance(X, np.memmap)}))
"""


def run(mode, model_path, data_path):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, model_path, data_path],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,50000,100000")
    args = p.parse_args(argv)
    from _common import machine_description, random_images

    from sk_aecluster import AE1Encoder

    print(machine_description())
    print(f"{'images':>8} {'input MiB':>10} {'latent MiB':>11} {'transform growth':>17} "
          f"{'budget':>8} {'ok':>4} {'memmap fit growth':>18}")
    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, "ae1.pkl")
        ae = AE1Encoder(max_epochs=1, random_state=0).fit(random_images(256))
        with open(model_path, "wb") as f:
            pickle.dump(ae, f)
        for n in [int(s) for s in args.sizes.split(",")]:
            data_path = os.path.join(tmp, f"x{n}.npy")
            X = np.lib.format.open_memmap(data_path, "w+", np.uint8, (n, 32, 32, 3))
            for start in range(0, n, 10000):
                X[start : start + 10000] = random_images(min(10000, n - start), seed=start)
            X.flush()
            del X
            t = run("transform", model_path, data_path)
            f = run("fit", model_path, data_path)
            budget = t["output"] + 256 * MiB
            print(f"{n:>8} {t['input'] / MiB:>10.0f} {t['output'] / MiB:>11.0f} "
                  f"{t['growth'] / MiB:>14.0f} MiB {budget / MiB:>8.0f} "
                  f"{'yes' if t['growth'] <= budget else 'NO':>4} {f['growth'] / MiB:>14.0f} MiB")
            os.remove(data_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
