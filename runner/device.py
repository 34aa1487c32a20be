"""Where experiments run: the GPU when CUDA is present, else the CPU."""

from __future__ import annotations

import os


def device_detect() -> str:
    """ "cuda" when torch sees a GPU, else "cpu"; IDEAGRAPH_RUNNER_DEVICE=cpu forces the CPU."""
    import torch

    if os.environ.get("IDEAGRAPH_RUNNER_DEVICE", "").lower() == "cpu":
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"


def device_describe(device: str) -> str:
    import torch

    if device == "cuda":
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return f"cpu ({torch.get_num_threads()} threads)"
