"""A reader's answers, recorded where their code runs and replayed where it is judged.

Grading (tools/grade.py) never trusts the verdict of the kernel that ran a student's
code: that kernel is the student's, and code in it can patch whatever a check compares
with. So a check runs twice.

1. In the student's kernel (in a sandbox), each answer function of the exercise (the
   functions its solution cells define) is wrapped by `record`: every call's return
   value, or the exception it raised, goes into a log as plain data (JSON), with a
   digest of the arguments and whatever the call changed in them (a layer whose bias it
   set, gradients it clipped in place).
2. In the grader's own process, where no student code runs, the same check runs again
   with each answer function replaced by `replay`, which hands back the logged values in
   order. The check computes its reference values there and decides.

The inputs of a check come from fixed seeds (or the seed the grader draws), so both runs
call the answer functions with the same arguments; the digests prove it, call by call.

This file is sent, as source, into the student's kernel, so it imports nothing of the
book; there its functions live in one namespace, `_grader` (see kernel_source).
"""

import base64
import builtins
import functools
import hashlib
import json

import torch

MIME = "application/x-birnn-answers+json"
MAX_ITEMS = 100_000  # elements of one container; more is refused, not logged


class Unreplayable(AssertionError):
    """A logged answer the grader cannot give back (or not for these arguments)."""


# Why the replay stops when the check calls an answer function more often than the
# student's code did (a stub never answers): make grade says it in words for the
# student (tools/grade.py, NO_ANSWER).
CALLED_MORE_OFTEN = "{name} was called more often here than when your code ran"


# --- Plain data from values, and back -------------------------------------------------


def _tensor_data(t: torch.Tensor) -> dict:
    t = t.detach().cpu().contiguous()
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.float()
    array = t.numpy()
    return {
        "tensor": str(array.dtype),
        "shape": list(t.shape),
        "data": base64.b64encode(array.tobytes()).decode(),
        "torch_dtype": str(t.dtype).removeprefix("torch."),
    }


def encode(value, depth: int = 0):
    """value as JSON-able data; an unsupported value becomes a marker of its type."""
    if depth > 20:
        return {"unsupported": "a structure nested over 20 levels"}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, torch.Tensor):
        data = _tensor_data(value)
        attrs = {
            k: v
            for k, v in getattr(value, "__dict__", {}).items()
            if not k.startswith("_") and isinstance(v, bool | int | float | str)
        }
        if attrs:  # a measurement a check attached to a result, e.g. its depth
            data["attrs"] = attrs
        return data
    if isinstance(value, torch.Size):
        return {"tuple": [encode(v, depth + 1) for v in value]}
    if isinstance(value, torch.dtype):
        return {"dtype": str(value).removeprefix("torch.")}
    if type(value).__module__ == "numpy":
        if hasattr(value, "shape") and hasattr(value, "tobytes") and value.shape:
            return encode(torch.as_tensor(value.copy()), depth)
        if hasattr(value, "item"):
            return encode(value.item(), depth)
    for kind, types in (("list", list), ("tuple", tuple), ("set", set | frozenset)):
        if isinstance(value, types):
            items = sorted(value, key=repr) if kind == "set" else list(value)
            if len(items) > MAX_ITEMS:
                return {"unsupported": f"a {kind} of over {MAX_ITEMS} items"}
            return {kind: [encode(v, depth + 1) for v in items]}
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            return {"unsupported": f"a dict of over {MAX_ITEMS} items"}
        return {
            "dict": [
                [encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()
            ]
        }
    return {"unsupported": type(value).__name__}


def decode(data):
    if data is None or isinstance(data, bool | str):
        return data
    if not isinstance(data, dict) or len(data) == 0:
        raise Unreplayable("the log holds a value the grader cannot read")
    if "int" in data:
        return int(data["int"])
    if "float" in data:
        return float(data["float"])
    if "tensor" in data:
        import numpy

        array = numpy.frombuffer(
            base64.b64decode(data["data"]), dtype=numpy.dtype(data["tensor"])
        )
        t = torch.from_numpy(array.copy()).reshape(data["shape"])
        dtype = getattr(torch, data.get("torch_dtype", ""), None)
        if isinstance(dtype, torch.dtype):
            t = t.to(dtype)
        for key, value in data.get("attrs", {}).items():
            setattr(t, key, value)
        return t
    if "dtype" in data:
        return getattr(torch, data["dtype"])
    if "list" in data:
        return [decode(v) for v in data["list"]]
    if "tuple" in data:
        return tuple(decode(v) for v in data["tuple"])
    if "set" in data:
        return {decode(v) for v in data["set"]}
    if "dict" in data:
        return {_hashable(decode(k)): decode(v) for k, v in data["dict"]}
    if "unsupported" in data:
        raise AssertionError(
            f"your function returned {data['unsupported']}, which no check accepts"
        )
    raise Unreplayable("the log holds a value the grader cannot read")


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


# --- What the arguments were, and what a call changed in them -------------------------


def _state(value, depth: int = 0):
    """The tensors an argument holds (values, gradients); None if it holds none."""
    if depth > 5:
        return None
    if isinstance(value, torch.Tensor):
        grad = value.grad if value.is_leaf else None
        return {
            "value": _tensor_data(value),
            "grad": None if grad is None else _tensor_data(grad),
        }
    if isinstance(value, torch.nn.Module):
        return {
            "module": {
                name: _state(tensor, depth + 1)
                for name, tensor in [
                    *value.named_parameters(),
                    *value.named_buffers(),
                ]
            }
        }
    if isinstance(value, list | tuple):
        if len(value) > 1000:
            return None
        states = [_state(v, depth + 1) for v in value]
        return {"items": states} if any(s is not None for s in states) else None
    if isinstance(value, dict):
        if len(value) > 1000:
            return None
        states = {
            repr(k): _state(v, depth + 1)
            for k, v in value.items()
            if isinstance(k, str)
        }
        return {"items_by_key": states} if any(states.values()) else None
    return None


def _shape_of(value, depth: int = 0):
    """What an argument is, without its tensors' values (those are in _state)."""
    if depth > 5:
        return "deep"
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    if isinstance(value, list | tuple):
        return [type(value).__name__, *[_shape_of(v, depth + 1) for v in value[:1000]]]
    if isinstance(value, dict):
        return ["dict", *[[repr(k), _shape_of(v, depth + 1)] for k, v in value.items()]]
    return type(value).__name__


def digest(args, kwargs) -> str:
    everything = [
        [_shape_of(a) for a in args],
        [_state(a) for a in args],
        {k: [_shape_of(v), _state(v)] for k, v in sorted(kwargs.items())},
    ]
    text = json.dumps(everything, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _apply_state(value, state) -> None:
    """Put a logged state back into an argument of the replayed call."""
    if state is None:
        return
    if isinstance(value, torch.Tensor) and "value" in state:
        with torch.no_grad():
            value.copy_(decode(state["value"]).to(value.dtype))
        if value.is_leaf:
            value.grad = None if state["grad"] is None else decode(state["grad"])
    elif isinstance(value, torch.nn.Module) and "module" in state:
        tensors = dict([*value.named_parameters(), *value.named_buffers()])
        for name, tensor_state in state["module"].items():
            if name in tensors:
                _apply_state(tensors[name], tensor_state)
    elif isinstance(value, list | tuple) and "items" in state:
        for item, item_state in zip(value, state["items"]):
            _apply_state(item, item_state)
    elif isinstance(value, dict) and "items_by_key" in state:
        for key, item in value.items():
            _apply_state(item, state["items_by_key"].get(repr(key)))


# --- Recording in the student's kernel, replaying in the grader -----------------------


_calls_under_way: dict[int, int] = {}  # id(log) -> answer calls now running


def record(name: str, function, log: list):
    """function, logging each call's arguments' digest, result and changes to log.

    Only the outermost call is logged: when one answer function calls another (or
    itself), the replay gives back the outer result and never makes the inner calls.
    """

    @functools.wraps(function)
    def recorded(*args, **kwargs):
        if _calls_under_way.get(id(log), 0):
            return function(*args, **kwargs)
        # Unseen by the check's guards and counters (TorchFunctionMode), which
        # watch the student's code only.
        with torch._C.DisableTorchFunction():
            before = digest(args, kwargs)
        entry = {"function": name, "digest": before}
        log.append(entry)
        _calls_under_way[id(log)] = 1
        try:
            result = function(*args, **kwargs)
        except BaseException as error:
            entry["raised"] = type(error).__name__
            entry["message"] = str(error)[:1000]
            raise
        finally:
            _calls_under_way[id(log)] = 0
        with torch._C.DisableTorchFunction():
            entry["result"] = encode(result)
            if digest(args, kwargs) != before:
                entry["changed"] = [_state(a) for a in args]
                entry["changed_kwargs"] = {k: _state(v) for k, v in kwargs.items()}
        return result

    return recorded


def start_recording(namespace: dict, names: list[str]) -> tuple[list, dict]:
    """Wrap the answer functions `names` of `namespace` (a kernel's globals) with
    record; (the log they write to, the functions as they were)."""
    log, originals = [], {n: namespace[n] for n in names if n in namespace}
    for name, function in originals.items():
        namespace[name] = record(name, function, log)
    return log, originals


def replay(name: str, entries: list):
    """A function that gives back, call by call, what `name` returned when recorded.

    entries is the log of one check, shared by all its answer functions, in call order.
    """

    def replayed(*args, **kwargs):
        with torch._C.DisableTorchFunction():
            return _replayed(*args, **kwargs)

    def _replayed(*args, **kwargs):
        if not entries:
            raise Unreplayable(CALLED_MORE_OFTEN.format(name=name))
        entry = entries.pop(0)
        if entry.get("function") != name:
            raise Unreplayable(
                f"{name} was called where your code ran {entry.get('function')}"
            )
        if entry.get("digest") != digest(args, kwargs):
            raise Unreplayable(
                f"{name} got other arguments here than when your code ran (the check "
                "is not deterministic, or the log was altered)"
            )
        if "raised" in entry:
            kind = entry["raised"]
            error = getattr(builtins, kind, None)
            if not (isinstance(error, type) and issubclass(error, Exception)):
                error = RuntimeError
            raise error(f"{kind}: {entry.get('message', '')}")
        for value, state in zip(args, entry.get("changed", [])):
            _apply_state(value, state)
        for key, state in entry.get("changed_kwargs", {}).items():
            if key in kwargs:
                _apply_state(kwargs[key], state)
        return decode(entry["result"])

    replayed.__name__ = name
    return replayed


def kernel_source() -> str:
    """Code for the student's kernel that defines `_grader`, a namespace holding this
    module's functions, apart from the page's names."""
    from pathlib import Path

    source = Path(__file__).read_text()
    return (
        f"_grader = {{'__name__': '_grader'}}\nexec({source!r}, _grader)\n"
        "_grader = type('Grader', (), _grader)"
    )
