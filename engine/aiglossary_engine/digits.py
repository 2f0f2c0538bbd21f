"""The small image model: an MLP for scikit-learn's bundled 8x8 ``load_digits`` images.

Inputs are 64 pixel intensities in [0, 1] (row-major, ink = 1, background = 0). One encoder feeds two
heads: ``classify`` (10 logits) for supervised training and ``reconstruct`` (64 outputs) for
self-supervised pre-training on unlabelled images: reconstructed pixels for the denoising autoencoder,
or the projection of contrastive learning (``augment`` + ``contrastive_loss``, SimCLR-style).
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

N_PIXELS = 64  # 8 x 8
N_CLASSES = 10
SPLIT_SEED = 0  # the train/test split is the same for every recipe and seed


@dataclass
class DigitsConfig:
    """Shape of the digits model. Saved as ``config.yaml`` in every checkpoint."""

    width: int = 128
    """Hidden width of the encoder and decoder."""
    n_embd: int = 64
    """Size of the learned representation shared by both heads."""
    dropout: float = 0.0
    """Dropout probability on the representation during training, in [0, 1)."""

    def __post_init__(self) -> None:
        for name in ("width", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"model.{name}: must be a positive integer, got {value!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"model.dropout: must be in [0, 1), got {self.dropout!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DigitsConfig:
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"model: unknown field(s) {', '.join(unknown)}")
        return cls(**data)


class DigitsNet(nn.Module):
    def __init__(self, config: DigitsConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = nn.Sequential(
            nn.Linear(N_PIXELS, config.width),
            nn.GELU(),
            nn.Linear(config.width, config.n_embd),
            nn.GELU(),
            nn.Dropout(config.dropout),
        )
        self.head = nn.Linear(config.n_embd, N_CLASSES)
        self.decoder = nn.Sequential(
            nn.Linear(config.n_embd, config.width), nn.GELU(), nn.Linear(config.width, N_PIXELS)
        )

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def flops_per_example(self) -> int:
        """Training FLOPs per image (forward + backward) of the classifier path."""
        c = self.config
        return 6 * (N_PIXELS * c.width + c.width * c.n_embd + c.n_embd * N_CLASSES)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """pixels: (B, 64) in [0, 1]. Returns class logits (B, 10)."""
        return self.head(self.encoder(pixels))

    def reconstruct(self, pixels: torch.Tensor) -> torch.Tensor:
        """pixels: (B, 64), possibly corrupted. Returns reconstructed pixels (B, 64), as logits."""
        return self.decoder(self.encoder(pixels))


@dataclass
class DigitsData:
    x_train: torch.Tensor  # (N, 64) float32 in [0, 1]
    y_train: torch.Tensor  # (N,) int64
    x_test: torch.Tensor  # (M, 64)
    y_test: torch.Tensor  # (M,)


def load_digits_split(test_fraction: float, labels_per_class: int | None, seed: int) -> DigitsData:
    """The bundled digits, split once (``SPLIT_SEED``); optionally only K labelled images per class,
    chosen with ``seed``."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = torch.tensor(bunch.data / 16.0, dtype=torch.float32)
    y = torch.tensor(bunch.target, dtype=torch.long)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(SPLIT_SEED))
    n_test = int(len(x) * test_fraction)
    test, train = perm[:n_test], perm[n_test:]
    if labels_per_class is not None:
        order = train[torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))]
        picked = [order[y[order] == c][:labels_per_class] for c in range(N_CLASSES)]
        train = torch.cat(picked).sort().values
    return DigitsData(x[train], y[train], x[test], y[test])


# --- contrastive pre-training (SimCLR-style) -----------------------------------------------------


def augment(pixels: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """A random view of each image: rotation (up to 15 degrees), scale (up to 12%), shear and a shift of
    up to one pixel, then 10% of the pixels dropped and a little Gaussian noise, rescaled so the
    brightest pixel is 1 (like the widget's input). pixels: (B, 64) -> (B, 64)."""
    b = len(pixels)
    angle = (torch.rand(b, generator=gen) * 2 - 1) * math.radians(15)
    scale = 1 + (torch.rand(b, generator=gen) * 2 - 1) * 0.12
    shear = (torch.rand(b, generator=gen) * 2 - 1) * 0.15
    shift = (torch.rand(b, 2, generator=gen) * 2 - 1) * 0.25  # grid units: 0.25 is one pixel of 8
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin + shear, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, [b, 1, 8, 8], align_corners=False)
    out = F.grid_sample(pixels.view(b, 1, 8, 8), grid, align_corners=False, padding_mode="zeros").view(b, N_PIXELS)
    keep = (torch.rand(b, N_PIXELS, generator=gen) >= 0.1).float()
    out = out * keep + 0.05 * torch.randn(b, N_PIXELS, generator=gen)
    return (out / out.amax(1, keepdim=True).clamp_min(1e-3)).clamp(0.0, 1.0)


def contrastive_loss(model: DigitsNet, pixels: torch.Tensor, gen: torch.Generator, temperature: float) -> torch.Tensor:
    """NT-Xent: two random views of each image must pick each other out among all views in the batch.
    The decoder serves as the projection head; the encoder's output is the learned representation."""
    b = len(pixels)
    views = torch.cat([augment(pixels, gen), augment(pixels, gen)])
    z = F.normalize(model.reconstruct(views), dim=1)
    sim = (z @ z.T / temperature).fill_diagonal_(-1e9)
    target = torch.cat([torch.arange(b, 2 * b), torch.arange(b)])
    return F.cross_entropy(sim, target)


# --- reading images for `engine classify` (no imaging library needed) ---------------------------


def _read_png(data: bytes) -> np.ndarray:
    """Decode an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB, RGBA) to grey values in [0, 1]."""
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace:
        raise ValueError("only 8-bit, non-interlaced grey/RGB(A) PNG files are supported")
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for r in range(height):
        kind, row = raw[r * (stride + 1)], np.frombuffer(raw, np.uint8, stride, r * (stride + 1) + 1)
        cur = row.astype(np.int32)
        if kind in (1, 3, 4):
            for i in range(stride):  # left neighbour is needed sequentially
                left = cur[i - channels] if i >= channels else 0
                up, ul = prev[i], (prev[i - channels] if i >= channels else 0)
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + up) // 2
                else:
                    p = left + up - ul
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                    pred = left if pa <= pb and pa <= pc else (up if pb <= pc else ul)
                cur[i] = (cur[i] + pred) & 0xFF
        elif kind == 2:
            cur = (cur + prev) & 0xFF
        out[r], prev = cur, cur
    pixels = out.reshape(height, width, channels).astype(np.float32) / 255.0
    grey = pixels[..., :3].mean(axis=-1) if channels >= 3 else pixels[..., 0]
    if channels in (2, 4):  # transparent areas are background: composite over white
        alpha = pixels[..., -1]
        grey = grey * alpha + (1.0 - alpha)
    return grey


def _read_pgm(data: bytes) -> np.ndarray:
    tokens: list[bytes] = []
    pos = 0
    while len(tokens) < 4:  # magic, width, height, maxval (comments start with #)
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while end < len(data) and not data[end : end + 1].isspace():
            end += 1
        tokens.append(data[pos:end])
        pos = end
    magic, width, height, maxval = tokens[0], int(tokens[1]), int(tokens[2]), int(tokens[3])
    if magic == b"P5" and maxval < 256:
        values = np.frombuffer(data, np.uint8, width * height, pos + 1).astype(np.float32)
    elif magic == b"P2":
        values = np.array(data[pos:].split()[: width * height], dtype=np.float32)
    else:
        raise ValueError("only P2/P5 PGM files with 8-bit values are supported")
    return values.reshape(height, width) / maxval


def read_image(path: Path) -> np.ndarray:
    """An image file as 64 pixels in [0, 1] with ink = 1, like the training data.

    Reads PNG, PGM, ``.npy`` (8x8 or 64 values, already ink = high) and ``.txt`` (64 numbers 0-16, as
    in ``load_digits``). Larger images are averaged down to 8x8; light backgrounds are inverted.
    """
    data = path.read_bytes()
    try:
        ink = _decode(path.suffix.lower(), data)
    except (ValueError, IndexError, KeyError, struct.error, zlib.error) as exc:
        raise ValueError(f"not a readable PNG, PGM, .npy or .txt image: {exc}") from None
    if ink.ndim != 2:
        raise ValueError(f"expected a 2-D image, got shape {ink.shape}")
    h, w = ink.shape
    rows = np.array_split(np.arange(h), 8) if h >= 8 else [np.array([int(r * h / 8)]) for r in range(8)]
    cols = np.array_split(np.arange(w), 8) if w >= 8 else [np.array([int(c * w / 8)]) for c in range(8)]
    small = np.array([[ink[np.ix_(r, c)].mean() for c in cols] for r in rows], dtype=np.float32)
    peak = float(small.max())
    if peak > 0:
        small = small / peak
    return small.reshape(N_PIXELS).clip(0.0, 1.0)


def _decode(suffix: str, data: bytes) -> np.ndarray:
    if suffix == ".npy":
        import io

        arr = np.load(io.BytesIO(data), allow_pickle=False).astype(np.float32)
        ink = arr.reshape(8, 8) if arr.size == N_PIXELS else arr
    elif suffix == ".txt":
        ink = np.array(data.decode("utf-8").split(), dtype=np.float32).reshape(8, 8) / 16.0
    else:
        grey = _read_png(data) if data[:8] == b"\x89PNG\r\n\x1a\n" else _read_pgm(data)
        ink = 1.0 - grey if grey.mean() > 0.5 else grey
    return np.asarray(ink, dtype=np.float32)
