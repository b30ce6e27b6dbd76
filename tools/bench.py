"""Time four implementations of a one-layer bidirectional tanh RNN on CPU (`make
bench`).

The same four as chapter 14 ("Making it fast"), repeated here on purpose because
notebooks stand alone: (a) the per-step loop, (b) the input projection hoisted out of
the loop, (c) both directions advanced by one batched product per step, (d) nn.RNN.
Plain torch ops only (no torch.jit, no torch.compile). Checks that all four agree, then
prints the best of REPEATS timed runs of each, and its ratio to nn.RNN; the goal is the
best from-scratch version within 2x. Runs are interleaved, so a burst of load from other
processes hits every implementation alike.
"""

import time

import torch
from torch import nn

T, B, I, H = 256, 64, 128, 128
WARMUP, REPEATS = 2, 15


def naive_loop(x, p):
    # (a) Every step: two products, two bias adds and a tanh, per direction.
    fwd, bwd = [None] * T, [None] * T
    h = x.new_zeros(B, H)
    for t in range(T):
        h = torch.tanh(x[:, t] @ p["w_ih"].T + p["b_ih"] + h @ p["w_hh"].T + p["b_hh"])
        fwd[t] = h
    h = x.new_zeros(B, H)
    for t in reversed(range(T)):
        h = torch.tanh(
            x[:, t] @ p["w_ih_rev"].T
            + p["b_ih_rev"]
            + h @ p["w_hh_rev"].T
            + p["b_hh_rev"]
        )
        bwd[t] = h
    return torch.cat([torch.stack(fwd, 1), torch.stack(bwd, 1)], dim=2)


def input_projections(x, p):
    # x @ W_ih.T + b_ih + b_hh for every step and both directions, in one product: (T,
    # B, 2H).
    w_ih = torch.cat([p["w_ih"], p["w_ih_rev"]])
    bias = torch.cat([p["b_ih"] + p["b_hh"], p["b_ih_rev"] + p["b_hh_rev"]])
    return torch.addmm(bias, x.transpose(0, 1).reshape(T * B, I), w_ih.T).view(
        T, B, 2 * H
    )


def hoisted(x, p):
    # (b) One addmm and one in-place tanh per step and direction, written into
    # preallocated rows.
    proj = input_projections(x, p)
    # direction, time, batch, hidden: each out[d, t] is contiguous
    out = x.new_empty(2, T, B, H)
    for d, (w_hh, times) in enumerate(
        ((p["w_hh"], range(T)), (p["w_hh_rev"], range(T - 1, -1, -1)))
    ):
        steps, rows, w_hh_t = (
            proj[:, :, d * H : (d + 1) * H].unbind(0),
            out[d].unbind(0),
            w_hh.T,
        )
        h = x.new_zeros(B, H)
        for t in times:
            h = torch.addmm(steps[t], h, w_hh_t, out=rows[t]).tanh_()
    return out.permute(2, 1, 0, 3).reshape(B, T, 2 * H)


def batched(x, p):
    # (c) Both directions in one baddbmm per step; the reverse one reads the
    # time-flipped projections.
    proj = input_projections(x, p).view(T, B, 2, H)
    steps = torch.stack([proj[:, :, 0], proj[:, :, 1].flip(0)], dim=1)  # (T, 2, B, H)
    w_hh_t = torch.stack([p["w_hh"].T, p["w_hh_rev"].T])  # (2, H, H)
    states = torch.empty_like(steps)
    h = x.new_zeros(2, B, H)
    for step, row in zip(steps.unbind(0), states.unbind(0)):
        h = torch.baddbmm(step, h, w_hh_t, out=row).tanh_()
    return torch.cat([states[:, 0], states[:, 1].flip(0)], dim=2).transpose(0, 1)


def main():
    torch.manual_seed(0)
    rnn = nn.RNN(I, H, batch_first=True, bidirectional=True)
    names = {
        "w_ih": "weight_ih_l0",
        "w_hh": "weight_hh_l0",
        "b_ih": "bias_ih_l0",
        "b_hh": "bias_hh_l0",
    }
    p = {
        short + rev: getattr(rnn, long + suffix).detach()
        for short, long in names.items()
        for rev, suffix in (("", ""), ("_rev", "_reverse"))
    }
    x = torch.randn(B, T, I)
    implementations = {
        "(a) naive loop": lambda: naive_loop(x, p),
        "(b) hoisted input projection": lambda: hoisted(x, p),
        "(c) both directions batched": lambda: batched(x, p),
        "(d) nn.RNN": lambda: rnn(x)[0],
    }
    with torch.inference_mode():
        expected = rnn(x)[0]
        for name, run in implementations.items():
            torch.testing.assert_close(
                run(), expected, msg=lambda m, name=name: f"{name}: {m}"
            )
        for _ in range(WARMUP):
            for run in implementations.values():
                run()
        times = {name: [] for name in implementations}
        for _ in range(REPEATS):
            for name, run in implementations.items():
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
    best = {name: min(ts) for name, ts in times.items()}
    reference = best["(d) nn.RNN"]
    threads = torch.get_num_threads()
    print(
        f"T={T} B={B} I={I} H={H}, float32 on CPU, {threads} "
        f"thread{'s' if threads > 1 else ''}, "
        f"torch {torch.__version__}; best of {REPEATS}, all four outputs agree"
    )
    for name, seconds in best.items():
        print(f"  {name:30s} {seconds * 1e3:8.2f} ms  {seconds / reference:5.2f}x")
    fastest = min((s, n) for n, s in best.items() if n != "(d) nn.RNN")
    verdict = "within" if fastest[0] <= 2 * reference else "NOT within"
    print(
        f"best from scratch: {fastest[1]}, {fastest[0] / reference:.2f}x nn.RNN "
        f"({verdict} the 2x goal)"
    )


if __name__ == "__main__":
    main()
