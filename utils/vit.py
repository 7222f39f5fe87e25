"""El Vision Transformer (ViT) del curso: ``MLP``, ``Block`` y ``ViT``.

Sigue a Dosovitskiy et al. (2021) y al estilo de timm: bloques *pre-norm* escritos como dos
líneas residuales, token CLS, embeddings de posición aprendidos, LayerNorm final y una cabeza lineal.

Opciones para pocos datos (cuaderno 07; por defecto, apagadas): ``pool="mean"`` (media de los tokens en
vez del token CLS), ``pos_embed="sincos"`` (posiciones 2-D seno-coseno fijas), ``spt=True`` (parches
desplazados) y ``lsa=True`` (autoatención de localidad). Las piezas viven en :mod:`utils.vit_variants`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
from torch import nn

from .attention import MultiHeadAttention
from .patches import PatchEmbedding
from .validation import (
    InputTypeError,
    as_bool,
    as_float,
    as_int,
    check_divisible,
    check_fits_in_memory,
    check_images,
    describe,
)
from .vit_variants import LocalitySelfAttention, ShiftedPatchEmbedding, sincos_pos_embed_2d


@dataclass
class ViTConfig:
    """Hiperparámetros de la arquitectura. Los valores por defecto son los del ViT del curso."""

    img_size: int = 28
    patch_size: int = 4
    in_chans: int = 1
    num_classes: int = 10
    dim: int = 64
    depth: int = 6
    num_heads: int = 4
    mlp_dim: int = 128
    dropout: float = 0.0
    pool: str = "cls"  # "cls": el token CLS; "mean": la media de los tokens de parche (sin CLS)
    pos_embed: str = "learned"  # "learned": aprendidos; "sincos": seno-coseno 2-D fijos
    spt: bool = False  # tokenización de parches desplazados
    lsa: bool = False  # autoatención de localidad

    def __post_init__(self) -> None:
        for name in ("img_size", "patch_size", "in_chans", "num_classes", "dim", "depth", "num_heads", "mlp_dim"):
            setattr(self, name, as_int(name, getattr(self, name), minimum=1, fix="Usa un valor como 4, 64 o 128."))
        check_divisible("img_size", self.img_size, "patch_size", self.patch_size)
        check_divisible("dim", self.dim, "num_heads", self.num_heads)
        self.dropout = as_float("dropout", self.dropout, fix="Usa, por ejemplo, 0.0 o 0.1.")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout debe estar en [0, 1) y vale {self.dropout}. Usa, por ejemplo, 0.0 o 0.1.")
        for name, choices in (("pool", ("cls", "mean")), ("pos_embed", ("learned", "sincos"))):
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} debe ser uno de {choices} y vale {getattr(self, name)!r}.")
        if self.pos_embed == "sincos" and self.dim % 4:
            raise ValueError(f"pos_embed='sincos' necesita dim múltiplo de 4 y dim vale {self.dim}. Usa dim=64.")
        self.spt, self.lsa = as_bool("spt", self.spt), as_bool("lsa", self.lsa)
        d, m = self.dim, self.mlp_dim
        block = 4 * d * d + 2 * d * m + 10 * d + m  # qkv, proj, fc1, fc2, dos LayerNorm
        params = (self.in_chans * self.patch_size**2 + self.num_patches + 4) * d + self.depth * block
        params += (d + 1) * self.num_classes
        what = f"Este ViT (dim={d}, depth={self.depth}, mlp_dim={m}, img_size={self.img_size})"
        check_fits_in_memory(what, params, "Revisa esos valores (los del curso: ViTConfig()).")

    @property
    def num_patches(self) -> int:
        return (self.img_size // self.patch_size) ** 2

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> ViTConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(
                f"Campos desconocidos en la configuración: {sorted(unknown)}. Los válidos son {sorted(known)}."
            )
        return cls(**values)


class MLP(nn.Module):
    """Red de dos capas con GELU: D → mlp_dim → D."""

    def __init__(self, dim: int, mlp_dim: int, dropout: float = 0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, mlp_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(mlp_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.act(self.fc1(x)))  # (B, N, mlp_dim)
        return self.drop(self.fc2(x))  # (B, N, D)


class Block(nn.Module):
    """Bloque Transformer *pre-norm*: atención y MLP, cada uno con su conexión residual."""

    def __init__(
        self, dim: int, num_heads: int, mlp_dim: int, dropout: float = 0.0, fused: bool = True, lsa: bool = False
    ):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        attention = LocalitySelfAttention if lsa else MultiHeadAttention
        self.attn = attention(dim, num_heads, dropout=dropout, fused=fused)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, mlp_dim, dropout)

    def forward(self, x: torch.Tensor, return_weights: bool = False):
        if return_weights:
            a, weights = self.attn(self.norm1(x), return_weights=True)
            x = x + a
            x = x + self.mlp(self.norm2(x))
            return x, weights
        x = x + self.attn(self.norm1(x))  # (B, N, D)
        x = x + self.mlp(self.norm2(x))  # (B, N, D)
        return x


class ViT(nn.Module):
    """Vision Transformer para clasificación.

    Se construye con argumentos con nombre (``ViT(dim=64, depth=6, ...)``) o con una
    :class:`ViTConfig` (``ViT(config=cfg)``).
    """

    def __init__(self, config: ViTConfig | None = None, **kwargs):
        super().__init__()
        if config is None:
            config = ViTConfig(**kwargs)
        elif not isinstance(config, ViTConfig):
            raise InputTypeError(
                f"config debe ser una ViTConfig y llegó {describe(config)}. Si es un diccionario, usa "
                "ViT(config=ViTConfig.from_dict(config))."
            )
        elif kwargs:
            raise ValueError("Pasa una ViTConfig o argumentos con nombre, no ambos.")
        self.config = config
        c = config
        embedding = ShiftedPatchEmbedding if c.spt else PatchEmbedding
        self.patch_embed = embedding(c.img_size, c.patch_size, c.in_chans, c.dim)
        self.num_patches = self.patch_embed.num_patches
        # con pool="mean" no hay token CLS: como timm con class_token=False
        self.num_prefix_tokens = 1 if c.pool == "cls" else 0
        self.cls_token = nn.Parameter(torch.zeros(1, 1, c.dim)) if c.pool == "cls" else None
        num_tokens = self.num_patches + self.num_prefix_tokens
        if c.pos_embed == "learned":
            self.pos_embed = nn.Parameter(torch.zeros(1, num_tokens, c.dim))
        else:  # fijos: un tensor que no se aprende ni se guarda (se recalcula); el CLS, si lo hay, lleva ceros
            grid = sincos_pos_embed_2d(self.patch_embed.grid_size, c.dim)  # (N, D)
            pos = torch.cat([torch.zeros(self.num_prefix_tokens, c.dim), grid])[None]  # (1, N+prefijo, D)
            self.register_buffer("pos_embed", pos, persistent=False)
        self.pos_drop = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList(Block(c.dim, c.num_heads, c.mlp_dim, c.dropout, lsa=c.lsa) for _ in range(c.depth))
        self.norm = nn.LayerNorm(c.dim)
        self.head = nn.Linear(c.dim, c.num_classes)
        self._init_weights()

    def _init_weights(self) -> None:
        if isinstance(self.pos_embed, nn.Parameter):
            nn.init.trunc_normal_(self.pos_embed, std=0.02)
        if self.cls_token is not None:
            nn.init.trunc_normal_(self.cls_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _check_input(self, x: torch.Tensor) -> None:
        w = self.head.weight
        check_images("x", x, dtype=w.dtype, device=w.device)  # tensor float32, sin NaN, normalizado
        c = self.config
        expected = (c.in_chans, c.img_size, c.img_size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            hint = " Para imágenes (B, 28, 28) usa x.unsqueeze(1)." if x.ndim == 3 and c.in_chans == 1 else ""
            raise ValueError(
                f"El ViT espera un lote (B, C, H, W) = (B, {c.in_chans}, {c.img_size}, {c.img_size}) "
                f"y llegó un tensor de forma {tuple(x.shape)}.{hint}"
            )

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Imágenes (B, C, H, W) → tokens con CLS y posición (B, N+1, D); sin CLS con ``pool="mean"``: (B, N, D)."""
        self._check_input(x)
        x = self.patch_embed(x)  # (B, N, D)
        if self.cls_token is not None:
            cls = self.cls_token.expand(x.shape[0], -1, -1)  # (B, 1, D)
            x = torch.cat([cls, x], dim=1)  # (B, N+1, D)
        return self.pos_drop(x + self.pos_embed)  # (B, N+1, D)

    def pool(self, x: torch.Tensor) -> torch.Tensor:
        """Tokens normalizados (B, N+1, D) → un vector por imagen (B, D): el token CLS o la media."""
        return x[:, 0] if self.cls_token is not None else x.mean(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.embed(x)  # (B, N+1, D)
        for block in self.blocks:
            x = block(x)  # (B, N+1, D)
        x = self.norm(x)
        return self.head(self.pool(x))  # (B, num_classes): el token CLS (o la media)

    def forward_with_attention(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Como ``forward``, pero devuelve también los pesos de atención de cada capa."""
        x = self.embed(x)
        maps = []
        for block in self.blocks:
            x, weights = block(x, return_weights=True)
            maps.append(weights)  # (B, H, N+1, N+1)
        return self.head(self.pool(self.norm(x))), maps

    @torch.no_grad()
    def attention_maps(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Pesos de atención de cada capa: una lista de ``depth`` tensores (B, heads, N+1, N+1).

        Funciona aunque la atención fusionada esté activa: recalcula cada capa por la ruta manual.
        """
        return self.forward_with_attention(x)[1]


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Número de parámetros (entrenables, por defecto) de ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
