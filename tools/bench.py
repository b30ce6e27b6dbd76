"""Time chapter 14's bidirectional tanh RNN layers against nn.RNN (`make bench`).

    python tools/bench.py [--device auto|cpu|cuda] [--threads N] [--rounds R]
                          [--compile]

The same layers as chapter 14 ("Making it fast"), repeated here on purpose because
notebooks stand alone: (a) the per-step loop, (b) the input projection hoisted out of
the loop, (c) both directions advanced by one batched product per step, (e) the layer of
(c) with its own backward pass (chapter 12's BPTT batched over both directions, in a
torch.autograd.Function), and (d) nn.RNN. Plain torch ops only.

It first checks that all of them give nn.RNN's `out` and that (e)'s gradients are
nn.RNN's, then times the forward pass (under torch.inference_mode) and forward+backward
(a fixed random gradient for `out`) with torch.utils.benchmark. Runs are interleaved in
rounds, so a burst of load from other processes hits every layer alike; the table shows
the median over the rounds and each time's ratio to nn.RNN. It also measures the
machine's rate for one large float32 matrix product and sets each forward time against
the least time the layer's matrix products could take at that rate.

Threads: one by default, as in chapter 14 (--threads to change). With one thread on a
CPU the clock is the process's CPU time, which ignores the time the operating system
gives to other programs; with more threads, or on a GPU, it is wall-clock time. The
output says which. --device cuda (the default when CUDA is available) synchronizes the
GPU around every timed call; that path has not been run on a GPU by the book's authors.
--compile also times torch.compile on layer (c), wall-clock: first call (tracing and
code generation), a call with a new T (which compiles again), and the compiled steady
state against eager, at the size above and at a small one (B = 1, I = H = 32) where
each step's fixed cost dominates. On a GPU those times are taken with CUDA events and
torch.cuda.synchronize() around them (Stopwatch).
"""

import argparse
import copy
import os
import platform
import time

import torch
from torch import nn
from torch.autograd.function import once_differentiable
from torch.utils import benchmark

T, B, I, H = 256, 64, 128, 128
GOAL = 1.2  # best from-scratch forward+backward: at most this many times nn.RNN's
KINDS = {"w_ih": "weight_ih", "w_hh": "weight_hh", "b_ih": "bias_ih", "b_hh": "bias_hh"}


def weights_of(rnn):
    # The 8 tensors of layer 0 with the book's names; the _rev ones are the reverse's.
    return {
        short + rev: getattr(rnn, f"{long}_l0{suffix}")
        for short, long in KINDS.items()
        for rev, suffix in (("", ""), ("_rev", "_reverse"))
    }


def naive_loop(x, w):
    # (a) Every step: two products, two bias additions and a tanh, per direction.
    steps, hidden = x.shape[1], w["w_hh"].shape[0]
    fwd, bwd = [None] * steps, [None] * steps
    h = x.new_zeros(x.shape[0], hidden)
    for t in range(steps):
        h = torch.tanh(x[:, t] @ w["w_ih"].T + w["b_ih"] + h @ w["w_hh"].T + w["b_hh"])
        fwd[t] = h
    h = x.new_zeros(x.shape[0], hidden)
    for t in reversed(range(steps)):
        h = torch.tanh(
            x[:, t] @ w["w_ih_rev"].T
            + w["b_ih_rev"]
            + h @ w["w_hh_rev"].T
            + w["b_hh_rev"]
        )
        bwd[t] = h
    return torch.cat([torch.stack(fwd, 1), torch.stack(bwd, 1)], dim=2)


def project_inputs(x, w):
    # W_ih x_t + b_ih + b_hh for all steps and both directions, one product: (B, T, 2H).
    w_ih_both = torch.cat([w["w_ih"], w["w_ih_rev"]])
    bias_both = torch.cat([w["b_ih"] + w["b_hh"], w["b_ih_rev"] + w["b_hh_rev"]])
    return x @ w_ih_both.T + bias_both


def hoisted(x, w):
    # (b) One addmm and one tanh per step and direction.
    steps, hidden = x.shape[1], w["w_hh"].shape[0]
    proj = project_inputs(x, w)
    fwd, bwd = [None] * steps, [None] * steps
    h = x.new_zeros(x.shape[0], hidden)
    for t in range(steps):
        h = fwd[t] = torch.tanh(torch.addmm(proj[:, t, :hidden], h, w["w_hh"].T))
    h = x.new_zeros(x.shape[0], hidden)
    for t in reversed(range(steps)):
        h = bwd[t] = torch.tanh(torch.addmm(proj[:, t, hidden:], h, w["w_hh_rev"].T))
    return torch.cat([torch.stack(fwd, 1), torch.stack(bwd, 1)], dim=2)


def batched(x, w):
    # (c) Both directions in one baddbmm per step; the reverse reads flipped inputs.
    steps, hidden = x.shape[1], w["w_hh"].shape[0]
    proj = project_inputs(x, w)
    step_inputs = torch.stack([proj[..., :hidden], proj[..., hidden:].flip(1)])
    w_hh_t = torch.stack([w["w_hh"].T, w["w_hh_rev"].T])  # (2, H, H)
    h = x.new_zeros(2, x.shape[0], hidden)
    states = []
    for s in range(steps):
        h = torch.tanh(torch.baddbmm(step_inputs[:, :, s], h, w_hh_t))
        states.append(h)
    states = torch.stack(states, dim=2)  # (2, B, T, H), reverse in processing order
    return torch.cat([states[0], states[1].flip(1)], dim=2)


class BiRNN(torch.autograd.Function):
    """(e) The layer of (c) with chapter 12's BPTT as its backward pass.

    Inputs: x (B, T, I) and the two directions' weights stacked on a leading axis:
    w_ih2 (2, H, I), w_hh2 (2, H, H), bias2 (2, H) = b_ih + b_hh. Tensors inside are
    laid out (direction, processing step, batch, hidden): the reverse direction's step s
    is time T-1-s.
    """

    @staticmethod
    def forward(ctx, x, w_ih2, w_hh2, bias2):
        batch, steps, inputs = x.shape
        hidden = w_hh2.shape[1]
        x_tb = x.transpose(0, 1)
        xs = torch.stack([x_tb, x_tb.flip(0)])  # (2, T, B, I), in processing order
        states = torch.baddbmm(
            bias2.unsqueeze(1),
            xs.reshape(2, steps * batch, inputs),
            w_ih2.transpose(1, 2),
        ).view(2, steps, batch, hidden)  # holds P_s until step s overwrites it with h_s
        w_hh_t = w_hh2.transpose(1, 2)
        h = x.new_zeros(2, batch, hidden)
        for s in range(steps):
            h = states[:, s].baddbmm_(h, w_hh_t).tanh_()
        ctx.save_for_backward(xs, w_ih2, w_hh2, states)
        return torch.cat([states[0], states[1].flip(0)], dim=2).transpose(0, 1)

    @staticmethod
    @once_differentiable  # in-place steps: not itself differentiable, so say so
    def backward(ctx, g_out):
        xs, w_ih2, w_hh2, states = ctx.saved_tensors
        _, steps, batch, hidden = states.shape
        g_tb = g_out.transpose(0, 1)
        g = torch.stack([g_tb[..., :hidden], g_tb[..., hidden:].flip(0)])
        tanh_grad = 1 - states * states
        for s in range(steps - 1, 0, -1):
            g[:, s].mul_(tanh_grad[:, s])  # g[:, s] is now dL/da_s
            g[:, s - 1].baddbmm_(g[:, s], w_hh2)  # its share for the state before
        g[:, 0].mul_(tanh_grad[:, 0])
        g_flat = g.view(2, steps * batch, hidden)
        g_w_hh = g[:, 1:].reshape(2, -1, hidden).transpose(1, 2) @ states[
            :, :-1
        ].reshape(2, -1, hidden)
        g_w_ih = g_flat.transpose(1, 2) @ xs.reshape(2, steps * batch, -1)
        g_xs = (g_flat @ w_ih2).view(2, steps, batch, -1)
        g_x = (g_xs[0] + g_xs[1].flip(0)).transpose(0, 1)
        return g_x, g_w_ih, g_w_hh, g_flat.sum(1)


def own_backward(x, w):
    w_ih2 = torch.stack([w["w_ih"], w["w_ih_rev"]])
    w_hh2 = torch.stack([w["w_hh"], w["w_hh_rev"]])
    bias2 = torch.stack([w["b_ih"] + w["b_hh"], w["b_ih_rev"] + w["b_hh_rev"]])
    return BiRNN.apply(x, w_ih2, w_hh2, bias2)


def forward_flops(batch, steps, inputs, hidden):
    # Matrix products of the forward pass, both directions; a multiply-add counts 2.
    return 2 * 2 * steps * batch * hidden * (inputs + hidden)


def make_clock(device, threads):
    """The timer for torch.utils.benchmark, and a sentence saying what it measures."""
    if device.type == "cuda":

        def synchronized():
            torch.cuda.synchronize()
            return time.perf_counter()

        return synchronized, "wall-clock time, GPU synchronized around every call"
    if threads == 1:
        return time.process_time, "process CPU time (other programs' time not counted)"
    return time.perf_counter, "wall-clock time"


def gemm_rate(device, threads, clock):
    n = 4096 if device.type == "cuda" else 1024
    a, b = (torch.randn(n, n, device=device) for _ in range(2))
    timer = benchmark.Timer(
        "a @ b", globals={"a": a, "b": b}, num_threads=threads, timer=clock
    )
    return 2 * n**3 / timer.blocked_autorange(min_run_time=1.0).median, n


def check(layers, rnn, x, g_out):
    """Every layer gives nn.RNN's out; (e)'s gradients are nn.RNN's, checked in float64
    (in float32 the sums over T * B terms differ in their last bits with the order).
    """
    with torch.inference_mode():
        expected = rnn(x)[0]
        for name, layer in layers.items():
            torch.testing.assert_close(
                layer(x), expected, msg=lambda m, name=name: f"{name}: {m}"
            )
    rnn64 = copy.deepcopy(rnn).double()
    x64, g64 = x.detach().double().requires_grad_(), g_out.double()
    params = list(rnn64.parameters())
    reference = torch.autograd.grad(rnn64(x64)[0], [x64, *params], g64)
    out64 = own_backward(x64, weights_of(rnn64))
    mine = torch.autograd.grad(out64, [x64, *params], g64)
    names = ["x", *dict(rnn64.named_parameters())]
    for name, ours, theirs in zip(names, mine, reference):
        torch.testing.assert_close(ours, theirs, msg=lambda m, n=name: f"grad {n}: {m}")


def time_rounds(runs, rounds, threads, clock):
    """Median seconds per call of each run, interleaved over rounds."""
    timers = {
        name: benchmark.Timer(
            "run()", globals={"run": run}, num_threads=threads, timer=clock
        )
        for name, run in runs.items()
    }
    for timer in timers.values():
        timer.timeit(number=1)  # warm-up
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name, timer in timers.items():
            times[name].append(timer.timeit(number=1).median)
    return {name: sorted(ts)[len(ts) // 2] for name, ts in times.items()}


class Stopwatch:
    """Wall-clock seconds of a block of work; on a GPU, of the work it queued.

    A CUDA call returns when its work is queued, not done: on a GPU the block is timed
    by CUDA events recorded on the stream, and torch.cuda.synchronize() waits before
    the start and after the end, so the time covers all the queued work and nothing
    queued before it. On a CPU it reads time.perf_counter (torch.compile works in other
    processes too, so CPU time of this one would miss part of it).
    """

    def __init__(self, device):
        self.cuda = device.type == "cuda"

    def __enter__(self):
        if self.cuda:
            torch.cuda.synchronize()
            self.start = torch.cuda.Event(enable_timing=True)
            self.end = torch.cuda.Event(enable_timing=True)
            self.start.record()
        self.began = time.perf_counter()
        return self

    def __exit__(self, *exc):
        if self.cuda:
            self.end.record()
            torch.cuda.synchronize()
            self.seconds = self.start.elapsed_time(self.end) / 1e3  # ms to s
        else:
            self.seconds = time.perf_counter() - self.began


def steady_seconds(layer, x, w, device, calls=5):
    """Median wall-clock seconds per call of layer(x, w) over `calls` calls, warm."""
    layer(x, w)
    times = []
    for _ in range(calls):
        with Stopwatch(device) as watch:
            layer(x, w)
        times.append(watch.seconds)
    return sorted(times)[len(times) // 2]


def time_compile(x, w, device, small_batch=1, small_hidden=32):
    """torch.compile of layer (c), wall-clock seconds: first call (tracing and code
    generation), a call with a new T (compiled again), and per call once compiled,
    against eager, at the bench's size and at a small one where each step's fixed cost
    dominates (batch small_batch, I = H = small_hidden; the weights are cut from w).
    """
    torch._dynamo.reset()
    compiled = torch.compile(batched, dynamic=False)
    result = {}
    with torch.inference_mode():
        with Stopwatch(device) as watch:
            compiled(x, w)
        result["first"] = watch.seconds
        shorter = x[:, : x.shape[1] // 2].contiguous()
        with Stopwatch(device) as watch:
            compiled(shorter, w)
        result["new T"] = watch.seconds
        small_w = {
            k: v[:small_hidden, :small_hidden] if v.dim() == 2 else v[:small_hidden]
            for k, v in w.items()
        }
        small_x = x[:small_batch, :, :small_hidden].contiguous()
        for size, (xs, ws) in {"bench": (x, w), "small": (small_x, small_w)}.items():
            torch.testing.assert_close(compiled(xs, ws), batched(xs, ws))
            result[size] = {
                name: steady_seconds(layer, xs, ws, device)
                for name, layer in (("compiled", compiled), ("eager", batched))
            }
    return result


def machine_name(device):
    if device.type == "cuda":
        return "GPU " + torch.cuda.get_device_name(device)
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [
                ln.split(":", 1)[1].strip()
                for ln in cpuinfo
                if ln.startswith("model name")
            ]
        model = names[0] if names else model
    except OSError:
        pass
    return f"CPU {model} ({os.cpu_count()} logical cores)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (1)")
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds (9)")
    parser.add_argument("--compile", action="store_true", help="time torch.compile")
    args = parser.parse_args()
    name = args.device
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: this torch has no CUDA device")
    device = torch.device(name)
    torch.set_num_threads(args.threads)
    clock, clock_words = make_clock(device, args.threads)

    torch.manual_seed(0)
    rnn = nn.RNN(I, H, batch_first=True, bidirectional=True).to(device)
    w = weights_of(rnn)
    x = torch.randn(B, T, I, device=device, requires_grad=True)
    g_out = torch.randn(B, T, 2 * H, device=device)
    layers = {
        "(a) naive loop": lambda x: naive_loop(x, w),
        "(b) hoisted input projection": lambda x: hoisted(x, w),
        "(c) both directions batched": lambda x: batched(x, w),
        "(e) (c) + own backward": lambda x: own_backward(x, w),
        "(d) nn.RNN": lambda x: rnn(x)[0],
    }
    check(layers, rnn, x, g_out)

    def inference(layer):
        def run():
            with torch.inference_mode():
                layer(x)

        return run

    def training(layer):
        def run():
            layer(x).backward(g_out)

        return run

    # Autograd through (a) and (b) indexes x (and (b) the projections) once per step;
    # each index's backward writes a zero tensor of the full size, so their backward
    # grows like T squared. (c) is timed with autograd to show it; (a), (b) are not.
    trained = ["(c) both directions batched", "(e) (c) + own backward", "(d) nn.RNN"]
    runs = {("fwd", n): inference(layer) for n, layer in layers.items()}
    runs |= {("fwd+bwd", n): training(layers[n]) for n in trained}
    median = time_rounds(runs, args.rounds, args.threads, clock)
    rate, n = gemm_rate(device, args.threads, clock)
    floor = forward_flops(B, T, I, H) / rate

    where = machine_name(device)
    if device.type == "cpu":
        where += f", {args.threads} thread{'s' if args.threads > 1 else ''}"
    print(f"T={T} B={B} I={I} H={H}, float32, {where}, torch {torch.__version__}")
    print(f"clock: {clock_words}; median of {args.rounds} interleaved rounds")
    print("all layers give nn.RNN's out; (e)'s gradients are nn.RNN's")
    print(
        f"one {n}x{n} matrix product: {rate / 1e9:.0f} GFLOP/s, so the forward pass's "
        f"{forward_flops(B, T, I, H) / 1e9:.2f} GFLOP need at least "
        f"{floor * 1e3:.1f} ms"
    )
    print(
        f"  {'layer':30s} {'forward':>9s} {'ratio':>6s} {'% rate':>7s}"
        f" {'fwd+bwd':>9s} {'ratio':>6s}"
    )
    ref_fwd, ref_fb = median["fwd", "(d) nn.RNN"], median["fwd+bwd", "(d) nn.RNN"]
    for n in layers:
        fwd = median["fwd", n]
        line = (
            f"  {n:30s} {fwd * 1e3:6.1f} ms {fwd / ref_fwd:5.2f}x "
            f"{100 * floor / fwd:6.0f}%"
        )
        if ("fwd+bwd", n) in median:
            fb = median["fwd+bwd", n]
            line += f" {fb * 1e3:6.1f} ms {fb / ref_fb:5.2f}x"
        print(line)
    ratio = median["fwd+bwd", "(e) (c) + own backward"] / ref_fb
    verdict = "within" if ratio <= GOAL else "NOT within"
    print(
        f"best from scratch, forward+backward: (e), {ratio:.2f}x nn.RNN "
        f"({verdict} the {GOAL}x goal)"
    )
    if args.compile:
        timed = time_compile(x.detach(), w, device)
        print(
            f"torch.compile of (c), default back end (Inductor), wall-clock: first "
            f"call {timed['first']:.1f} s, a new T ({T // 2}) {timed['new T']:.1f} s"
        )
        for size, words in (
            ("bench", f"T={T} B={B} I=H={H}"),
            ("small", f"T={T} B=1 I=H=32"),
        ):
            eager, comp = timed[size]["eager"], timed[size]["compiled"]
            print(
                f"  once compiled, {words}: {comp * 1e3:.2f} ms against "
                f"{eager * 1e3:.2f} ms eager ({comp / T * 1e6:.1f} against "
                f"{eager / T * 1e6:.1f} us per step, {eager / comp:.2f}x)"
            )


if __name__ == "__main__":
    main()
