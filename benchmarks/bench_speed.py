"""Training and encoding speed of AE1/AE2 and SimCLR against a plain PyTorch loop.

Library and reference run alternately in one process (ABBA order) on the same
data, epochs, batch size, optimizer and seed; the script prints the median
ratio library / reference and an A/A ratio (reference against itself) that
shows the noise floor. Also prints AE2's training throughput as a fraction of
the fp32 matmul peak measured in the same run.

Usage::

    python benchmarks/bench_speed.py                  # 8,500 images, 7 rounds
    python benchmarks/bench_speed.py --n 512 --rounds 2 --epochs 1   # smoke size
    python benchmarks/bench_speed.py --models ae1 --warm-allocator   # no page-fault noise
    python benchmarks/bench_speed.py --models ae1 --adam plain       # both with torch's Adam kernel
    python benchmarks/bench_speed.py --device cuda                   # both loops on the GPU
    python benchmarks/bench_speed.py --models simclr --n 2560        # ContrastiveEncoder
    python benchmarks/bench_speed.py --models simclr --n 2560 --bf16 # both in bf16 mixed precision

The ``simclr`` row trains :class:`~sk_aecluster.ContrastiveEncoder` (its
default network, 32-64-128-256 channels and a 256-256-128 projection head)
against a plain SimCLR loop: the same network written in PyTorch, the same
batch-wise augmentations (the library's ``ContrastiveAugmentation``, plain
tensor operations, called twice per batch), NT-Xent written out, batch
``--simclr-batch-size`` (256).

With ``--bf16`` both sides train in bfloat16 mixed precision: the plain loop
runs its forward pass under ``torch.autocast`` and the loss on the float32
projections; the library gets ``accelerator=Accelerator(mixed_precision="bf16")``
(Hugging Face Accelerate through skorch's ``AccelerateMixin``, which does the
same). Transform stays float32 on both sides.

On a GPU both sides train and encode on the device and every timed call ends
with ``torch.cuda.synchronize()``; the reference keeps the float32 set in host
memory and copies each batch to the device, as the library does.
"""

import argparse
import statistics
import sys

import torch
from _common import abba, machine_description, matmul_peak_gflops, median_ratio, random_images
from torch import nn

from sk_aecluster import AE1Encoder, AE2Encoder, ContrastiveEncoder
from sk_aecluster.contrastive import ContrastiveAugmentation


def study_ae1():
    """AE1 exactly as written in the study, in plain PyTorch."""
    return nn.Conv2d(3, 8, 3, 2, 1), nn.Sequential(nn.ConvTranspose2d(8, 3, 2, 2), nn.Tanh())


def study_ae2():
    """AE2 exactly as written in the study, in plain PyTorch."""
    enc = nn.Sequential(
        nn.Conv2d(3, 64, 3, 1, 1), nn.ReLU(True), nn.BatchNorm2d(64), nn.MaxPool2d(2, 2),
        nn.Conv2d(64, 128, 3, 1, 1), nn.ReLU(True), nn.BatchNorm2d(128), nn.MaxPool2d(2, 2),
        nn.Conv2d(128, 256, 3, 1, 1), nn.ReLU(True), nn.BatchNorm2d(256), nn.MaxPool2d(2, 2),
    )
    dec = nn.Sequential(
        nn.ConvTranspose2d(256, 128, 2, 2), nn.ReLU(True),
        nn.ConvTranspose2d(128, 64, 2, 2), nn.ReLU(True),
        nn.ConvTranspose2d(64, 3, 2, 2), nn.Tanh(),
    )
    return enc, dec


def simclr_net(width=32, depth=4, projection_dim=128):
    """ContrastiveEncoder's default network in plain PyTorch: (backbone, projection head)."""
    layers, c = [], 3
    for i in range(depth):
        out = width * 2**i
        layers += [nn.Conv2d(c, out, 3, padding=1, bias=False), nn.BatchNorm2d(out),
                   nn.ReLU(True)]
        if i < depth - 1:
            layers.append(nn.MaxPool2d(2))
        c = out
    backbone = nn.Sequential(*layers, GlobalAvgPool())
    head = nn.Sequential(nn.Linear(c, c, bias=False), nn.BatchNorm1d(c), nn.ReLU(True),
                         nn.Linear(c, projection_dim))
    return backbone, head


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def nt_xent(z, temperature=0.5):
    """SimCLR's loss over ``2N`` projections (view 1 of the batch, then view 2)."""
    z = nn.functional.normalize(z, dim=1)
    n2 = len(z)
    sim = (z @ z.T) / temperature
    sim.fill_diagonal_(float("-inf"))
    targets = (torch.arange(n2, device=z.device) + n2 // 2) % n2
    return nn.functional.cross_entropy(sim, targets)


class Reference:
    """A plain training loop over in-memory tensor slices, and batched encoding."""

    def __init__(self, build, X, epochs, batch_size, seed=0, fused=None, device="cpu",
                 bf16=False):
        self.build, self.epochs, self.batch_size, self.seed = build, epochs, batch_size, seed
        self.fused, self.bf16 = fused, bf16
        self.device = torch.device(device)
        # the usual hand-written preparation: the whole set as float32 NCHW in [-1, 1]
        self.X = torch.from_numpy(X).permute(0, 3, 1, 2).float().div(127.5).sub(1).contiguous()

    def fit(self):
        torch.manual_seed(self.seed)
        enc, dec = self.build()
        model = nn.Sequential(enc, dec).to(self.device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=self.fused)
        model.train()
        n = len(self.X)
        for _ in range(self.epochs):
            perm = torch.randperm(n)
            for i in range(0, n, self.batch_size):
                xb = self.X[perm[i : i + self.batch_size]].to(self.device, non_blocking=True)
                with torch.autocast(self.device.type, torch.bfloat16, enabled=self.bf16):
                    out = model(xb)
                loss = nn.functional.mse_loss(out.float(), xb)
                opt.zero_grad()
                loss.backward()
                opt.step()
        synchronize(self.device)
        self.encoder = enc
        return model

    def transform(self, X_uint8):
        enc = self.encoder.eval()
        out = []
        with torch.inference_mode():
            for i in range(0, len(X_uint8), self.batch_size):
                xb = torch.from_numpy(X_uint8[i : i + self.batch_size])
                xb = xb.permute(0, 3, 1, 2).float().div(127.5).sub(1)
                out.append(enc(xb.to(self.device, non_blocking=True)).flatten(1).cpu())
        return torch.cat(out).numpy()


class SimCLRReference(Reference):
    """A plain SimCLR loop: two augmented views per batch, one forward pass, NT-Xent."""

    def fit(self):
        torch.manual_seed(self.seed)
        backbone, head = self.build()
        model = nn.Sequential(backbone, head).to(self.device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=self.fused)
        augment = ContrastiveAugmentation()
        model.train()
        n = len(self.X)
        for _ in range(self.epochs):
            perm = torch.randperm(n)
            for i in range(0, n, self.batch_size):
                xb = self.X[perm[i : i + self.batch_size]].to(self.device, non_blocking=True)
                views = torch.cat([augment(xb), augment(xb)])
                with torch.autocast(self.device.type, torch.bfloat16, enabled=self.bf16):
                    z = model(views)
                loss = nt_xent(z.float())
                opt.zero_grad()
                loss.backward()
                opt.step()
        synchronize(self.device)
        self.encoder = backbone
        return model


def synchronize(device):
    """Wait for the device's queued work (a no-op on the CPU), so timings are complete."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def conv_flops_per_image(build, size=32):
    """Multiply-adds x 2 of one forward pass of conv/transposed-conv layers."""
    enc, dec = build()
    flops = 0
    hooks = []

    def hook(mod, inp, out):
        nonlocal flops
        per = mod.out_channels if isinstance(mod, nn.Conv2d) else mod.in_channels
        k = mod.weight.numel() // per
        if isinstance(mod, nn.Conv2d):
            flops += 2 * out[0].numel() * k
        else:
            flops += 2 * inp[0][0].numel() * k * 1  # each input value feeds k outputs per out ch
    for m in [*enc.modules(), *dec.modules()]:
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            hooks.append(m.register_forward_hook(hook))
    with torch.no_grad():
        dec(enc(torch.zeros(1, 3, size, size)))
    for h in hooks:
        h.remove()
    return flops


ADAM = {
    "library": "Adam (library: its default, the fused kernel; reference: torch's default)",
    "plain": "Adam (both: torch's default kernel)",
    "fused": "Adam (both: fused kernel)",
}


def bench(name, build, lib_cls, X, args, ref_cls=Reference, batch_size=None):
    batch_size = batch_size or args.batch_size
    ref = ref_cls(build, X, args.epochs, batch_size,
                  fused=True if args.adam == "fused" else None, device=args.device,
                  bf16=args.bf16)
    extra = {"optimizer_params": {"fused": False}} if args.adam == "plain" else {}
    if args.bf16:
        from accelerate import Accelerator

        extra["accelerator"] = Accelerator(cpu=torch.device(args.device).type == "cpu",
                                           mixed_precision="bf16")
    lib = lib_cls(max_epochs=args.epochs, batch_size=batch_size, random_state=0,
                  device=args.device, **extra)
    device = torch.device(args.device)

    def lib_fit():
        lib.fit(X)
        synchronize(device)
    # warm up both paths, untimed
    ref.fit()
    lib.fit(X)
    ref.transform(X)
    lib.transform(X)

    t_lib, t_ref = abba(lib_fit, ref.fit, args.rounds)
    t_a1, t_a2 = abba(ref.fit, lambda: ref_cls.fit(ref), args.rounds) if args.aa else ([], [])
    reps = args.encode_reps
    enc_lib, enc_ref = abba(lambda: [lib.transform(X) for _ in range(reps)],
                            lambda: [ref.transform(X) for _ in range(reps)], args.rounds)
    rows = [
        (f"{name} fit", median_ratio(t_lib, t_ref), statistics.median(t_ref) / args.epochs),
        (f"{name} transform", median_ratio(enc_lib, enc_ref), statistics.median(enc_ref) / reps),
    ]
    if t_a1:
        rows.append((f"{name} fit A/A (noise)", median_ratio(t_a1, t_a2), float("nan")))
    return rows, statistics.median(t_lib) / args.epochs


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=8500, help="number of 32x32x3 images")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--rounds", type=int, default=7, help="ABBA rounds (>= 7 for reporting)")
    p.add_argument("--encode-reps", type=int, default=3)
    p.add_argument("--simclr-batch-size", type=int, default=256,
                   help="batch size of the simclr row (images; each step sees twice as many views)")
    p.add_argument("--models", default="ae1,ae2", help="comma-separated: ae1, ae2, simclr")
    p.add_argument("--no-aa", dest="aa", action="store_false", help="skip the A/A noise rows")
    p.add_argument("--adam", choices=sorted(ADAM), default="library",
                   help="library: each side's default (the library selects the fused "
                   "kernel, the plain loop gets torch's default); plain: both torch's "
                   "default kernel; fused: both fused. plain and fused show the "
                   "library's own overhead")
    p.add_argument("--warm-allocator", action="store_true",
                   help="allocate and free 16 MiB first: raises glibc's mmap threshold so "
                   "per-batch tensors come from the heap in both loops (steadier ratios)")
    p.add_argument("--device", default="cpu", help="torch device of both loops (cpu, cuda, ...)")
    p.add_argument("--bf16", action="store_true",
                   help="train both sides in bfloat16 mixed precision (the library through "
                   "Accelerate; needs accelerate)")
    args = p.parse_args(argv)
    if args.warm_allocator:
        block = torch.empty(16 << 20, dtype=torch.uint8)
        block.fill_(0)
        del block

    print(machine_description())
    X = random_images(args.n)
    adam = ADAM[args.adam]
    print(f"data: {args.n} uint8 images 32x32x3, batch {args.batch_size} "
          f"(simclr: {args.simclr_batch_size}), {adam}, "
          f"{args.epochs} epoch(s) per fit, {args.rounds} ABBA rounds, device {args.device}"
          + (", bf16 mixed precision" if args.bf16 else ""))
    if torch.device(args.device).type == "cuda":
        print(f"GPU: {torch.cuda.get_device_name(args.device)}")
    peak = matmul_peak_gflops(device=args.device)
    print(f"fp32 matmul peak in this process: {peak:.0f} GFLOP/s")
    print(f"{'measurement':<26}{'ratio lib/ref':>14}{'ref s/unit':>12}")
    models = {"ae1": (study_ae1, AE1Encoder, Reference, args.batch_size),
              "ae2": (study_ae2, AE2Encoder, Reference, args.batch_size),
              "simclr": (simclr_net, ContrastiveEncoder, SimCLRReference,
                         args.simclr_batch_size)}
    for key in args.models.split(","):
        build, cls, ref_cls, batch_size = models[key]
        rows, lib_epoch = bench(key.upper(), build, cls, X, args, ref_cls, batch_size)
        for label, ratio, sec in rows:
            print(f"{label:<26}{ratio:>14.3f}{sec:>12.3f}")
        if key == "ae2":
            # forward + backward ~ 3x forward flops
            flops = 3 * conv_flops_per_image(build) * args.n
            share = 100 * flops / lib_epoch / 1e9 / peak
            print(f"{'AE2 fit, % of matmul peak':<26}{share:>13.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
