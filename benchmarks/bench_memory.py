"""Peak memory of ``transform`` and of ``fit`` on a memory-mapped array.

For each size, a fresh subprocess (1) encodes N in-memory uint8 32x32x3 images
with a fitted AE1Encoder and reports how much the peak resident memory grew,
against the size of the latent output (the goal: growth <= output + 256 MiB,
i.e. no float32 copy of the input), and (2) fits an AE1Encoder for one epoch
on an ``np.memmap`` of the images and reports the growth of anonymous memory
(the mapped file's pages are page cache, not copies), and (3) encodes the
memory-mapped file as a dask array (``dask_image_array`` and ``dask_transform``,
two threads) straight into a memory-mapped ``.npy`` output with
``dask.array.store``, reporting the peak growth of anonymous memory against a
budget that does not grow with N (256 MiB): neither the images nor the codes
are ever held in memory as a whole.

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
elif mode == "dask":
    import threading, time
    import dask.array as da
    from sk_aecluster import dask_transform
    from sk_aecluster.datasets import dask_image_array
    ae = pickle.load(open(model_path, "rb"))
    X = dask_image_array(data_path, chunk_size=4096).images
    dask_transform(ae, X[:4096]).compute(scheduler="threads", num_workers=2)
    base = status("RssAnon"); peak = [base]; done = threading.Event()
    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], status("RssAnon")); time.sleep(0.002)
    watcher = threading.Thread(target=watch); watcher.start()
    Z = dask_transform(ae, X)
    out = np.lib.format.open_memmap(data_path + ".codes.npy", "w+", Z.dtype, Z.shape)
    da.store(Z, out, scheduler="threads", num_workers=2, lock=False)
    out.flush()
    done.set(); watcher.join()
    same = bool((out[-100:] == ae.transform(np.load(data_path, mmap_mode="r")[-100:])).all())
    print(json.dumps({"growth": peak[0] - base, "output": out.nbytes, "same": same}))
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
          f"{'budget':>8} {'ok':>4} {'memmap fit growth':>18} {'dask to disk growth':>20} "
          f"{'ok':>4}")
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
            d = run("dask", model_path, data_path)
            budget = t["output"] + 256 * MiB
            dask_ok = d["growth"] <= 256 * MiB and d["same"]
            print(f"{n:>8} {t['input'] / MiB:>10.0f} {t['output'] / MiB:>11.0f} "
                  f"{t['growth'] / MiB:>14.0f} MiB {budget / MiB:>8.0f} "
                  f"{'yes' if t['growth'] <= budget else 'NO':>4} {f['growth'] / MiB:>14.0f} MiB"
                  f" {d['growth'] / MiB:>16.0f} MiB {'yes' if dask_ok else 'NO':>4}")
            os.remove(data_path)
            os.remove(data_path + ".codes.npy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
