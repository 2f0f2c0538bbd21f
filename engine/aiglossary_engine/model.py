"""A tiny decoder-only transformer language model (GPT), in one file.

Shapes use B = batch, T = new tokens, P = cached (past) tokens, C = n_embd, H = n_head,
D = C // H (head size), L = n_layer, V = vocab_size.

The same module trains (``model(idx, targets)``) and decodes with a key/value cache
(``model.forward_cached(idx, past_kv)``); the ONNX export wraps the cached path, so one graph serves
both the first pass over a prompt (P = 0) and every following character (T = 1).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
import torch.nn as nn
from torch.nn import functional as F


@dataclass
class GPTConfig:
    """Shape of the language model. Saved as ``config.yaml`` in every checkpoint."""

    vocab_size: int = 97
    """Number of distinct tokens (characters); set from the tokenizer, not by hand."""
    block_size: int = 128
    """Context length: the most tokens the model sees at once. Longer inputs keep their last tokens."""
    n_layer: int = 4
    """Number of transformer blocks."""
    n_head: int = 4
    """Attention heads per block; must divide ``n_embd``."""
    n_embd: int = 128
    """Width of the residual stream."""
    dropout: float = 0.0
    """Dropout probability during training, in [0, 1)."""
    bias: bool = True
    """Whether linear and layer-norm layers have a bias."""

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"model.{name}: must be a positive integer, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(
                f"model.n_head: must divide model.n_embd ({self.n_embd}), got {self.n_head}; "
                f"try n_head: {max(h for h in range(1, self.n_head + 1) if self.n_embd % h == 0)}"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"model.dropout: must be in [0, 1), got {self.dropout!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GPTConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"model: unknown field(s) {', '.join(unknown)}")
        return cls(**data)


SOFTMAX_FLOOR = -80.0
"""Lowest attention score, relative to its row's maximum, that the cached path passes to softmax."""


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # q, k, v at once
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, past: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (B, T, C); past: (2, B, H, P, D) keys and values of earlier tokens, or None.

        Returns the output (B, T, C) and this layer's cache (2, B, H, P + T, D).
        """
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)  # 3 x (B, T, C)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, D)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, D)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, D)
        if past is None:
            # training and plain inference: PyTorch's fused kernel
            y = F.scaled_dot_product_attention(
                q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0
            )  # (B, H, T, D)
        else:
            k = torch.cat([past[0], k], dim=2)  # (B, H, P + T, D)
            v = torch.cat([past[1], v], dim=2)  # (B, H, P + T, D)
            y = _attention_with_offset(q, k, v)  # (B, H, T, D)
        present = torch.stack([k, v])  # (2, B, H, P + T, D)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C)
        return self.resid_dropout(self.c_proj(y)), present


def _attention_with_offset(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Causal attention where the T queries are the last T of the P + T keys.

    Written with plain MatMul / Softmax so the exported ONNX graph uses only standard operators that
    onnxruntime-web runs. q: (B, H, T, D); k, v: (B, H, P + T, D). Returns (B, H, T, D).
    """
    T, S = q.size(2), k.size(2)
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.size(-1)))  # (B, H, T, S)
    q_pos = torch.arange(T, device=q.device) + (S - T)  # absolute position of each query
    k_pos = torch.arange(S, device=q.device)
    future = k_pos.unsqueeze(0) > q_pos.unsqueeze(1)  # (T, S)
    # The mask is built at (T, S) and added, which is cheaper in onnxruntime than a Where over every head.
    att = att + torch.zeros(T, S, dtype=att.dtype, device=att.device).masked_fill(future, float("-inf"))
    # Scores far below a row's maximum are floored at SOFTMAX_FLOOR below it. onnxruntime's Softmax is
    # about 7x slower on a row holding -inf or anything that exp() turns into a subnormal float, and
    # half the scores of a causal window are masked. exp(-80) = 1.8e-35 is a normal float that weighs
    # nothing next to the row's largest term (1): the result is the same to float32 precision.
    att = (att - att.amax(dim=-1, keepdim=True)).clamp(min=SOFTMAX_FLOOR)
    att = F.softmax(att, dim=-1)
    return att @ v  # (B, H, T, D)


class MLP(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))  # (B, T, C)


class Block(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, past: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        a, present = self.attn(self.ln_1(x), past)
        x = x + a  # (B, T, C)
        x = x + self.mlp(self.ln_2(x))  # (B, T, C)
        return x, present


class GPT(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)  # token embedding, tied to lm_head
        self.wpe = nn.Embedding(config.block_size, config.n_embd)  # learned position embedding
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):  # scaled init of residual projections (GPT-2)
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())  # tied weights are counted once

    def flops_per_token(self) -> int:
        """Training FLOPs per token (forward + backward), as in the PaLM paper appendix B."""
        cfg = self.config
        return 6 * self.num_params() + 12 * cfg.n_layer * cfg.n_embd * cfg.block_size

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """idx, targets: (B, T) token ids. Returns logits (B, T', V) and the mean cross-entropy loss
        when targets are given. Inputs longer than the context keep their last block_size tokens
        (T' = min(T, block_size)), as everywhere in the engine."""
        if idx.size(1) > self.config.block_size:
            idx = idx[:, -self.config.block_size :]
            targets = None if targets is None else targets[:, -self.config.block_size :]
        T = idx.size(1)
        pos = torch.arange(T, device=idx.device)  # (T,)
        x = self.drop(self.wte(idx) + self.wpe(pos))  # (B, T, C)
        for block in self.h:
            x, _ = block(x)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss

    def forward_cached(self, idx: torch.Tensor, past_kv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Decode with a key/value cache. idx: (B, T) new tokens; past_kv: (L, 2, B, H, P, D), P may be 0.

        Returns logits (B, T, V) and the cache extended by the new tokens, (L, 2, B, H, P + T, D).
        The caller keeps P + T <= block_size.
        """
        T = idx.size(1)
        P = past_kv.size(4)
        pos = torch.arange(T, device=idx.device) + P  # (T,) absolute positions
        x = self.wte(idx) + self.wpe(pos)  # (B, T, C)
        presents = []
        for i, block in enumerate(self.h):
            x, present = block(x, past_kv[i])
            presents.append(present)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        return logits, torch.stack(presents)  # (L, 2, B, H, P + T, D)

    @torch.no_grad()
    def generate(
        self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0, greedy: bool = False
    ) -> torch.Tensor:
        """Reference (uncached) generation in PyTorch: idx (B, T) -> (B, T + max_new_tokens)."""
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.config.block_size :])
            last = logits[:, -1, :]  # (B, V)
            if greedy or temperature <= 0:
                nxt = last.argmax(dim=-1, keepdim=True)  # (B, 1)
            else:
                nxt = torch.multinomial(F.softmax(last / temperature, dim=-1), num_samples=1)
            idx = torch.cat([idx, nxt], dim=1)
        return idx

    def empty_cache(self, batch: int = 1) -> torch.Tensor:
        cfg = self.config
        return torch.zeros(cfg.n_layer, 2, batch, cfg.n_head, 0, cfg.n_embd // cfg.n_head)

    def configure_optimizer(
        self, lr: float, weight_decay: float, betas: tuple[float, float] = (0.9, 0.95)
    ) -> torch.optim.AdamW:
        """AdamW with weight decay on matrices only (not on biases, norms)."""
        params = [p for p in self.parameters() if p.requires_grad]
        groups = [
            {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
        ]
        return torch.optim.AdamW(groups, lr=lr, betas=betas, foreach=True)


class CachedLM(nn.Module):
    """The graph that is exported to ONNX: (input_ids, past_kv) -> (logits, present_kv)."""

    def __init__(self, model: GPT) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, past_kv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model.forward_cached(input_ids, past_kv)
