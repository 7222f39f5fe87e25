"""Del ViT del curso a ``timm.models.vision_transformer.VisionTransformer``, con los mismos pesos.

El ViT del curso es el ViT estándar: con los mismos tamaños, timm construye un modelo cuyos parámetros
tienen **los mismos nombres y las mismas formas** (``patch_embed.proj``, ``cls_token``, ``pos_embed``,
``blocks.i.norm1``, ``blocks.i.attn.qkv``, ``blocks.i.attn.proj``, ``blocks.i.norm2``,
``blocks.i.mlp.fc1``, ``blocks.i.mlp.fc2``, ``norm`` y ``head``), así que la conversión es copiar el
``state_dict`` tal cual. Lo delicado son los ajustes que deben coincidir (:func:`timm_kwargs`):

- ``embed_dim`` = ``dim`` y ``mlp_ratio`` = ``mlp_dim / dim`` (timm da el ancho del MLP como proporción);
- ``qkv_bias=True``: una sola capa ``qkv`` fusionada, con sesgo, cortada en (3, H, d) en el mismo orden;
- el token CLS se concatena delante y ``pos_embed`` incluye su posición (``no_embed_class=False``);
- ``global_pool="token"`` con la norma final sobre todos los tokens (``final_norm=True``, ``fc_norm=False``);
  con ``pool="mean"``, ``class_token=False`` y ``global_pool="avg"``;
- el ``eps`` de LayerNorm: timm usa 1e-6 y ``nn.LayerNorm`` de PyTorch 1e-5 (el curso); hay que pasárselo.
"""

from __future__ import annotations

from functools import partial

import torch
from torch import nn

from .validation import InputTypeError, describe
from .vit import ViT, ViTConfig

# eps de LayerNorm: el del curso (el valor por defecto de PyTorch) y el que timm usa si no se le dice nada.
COURSE_LAYERNORM_EPS = 1e-5
TIMM_LAYERNORM_EPS = 1e-6

# Dos configuraciones estándar de timm (Dosovitskiy et al., 2021; Touvron et al., 2021), a 224×224 y en RGB.
TIMM_REFERENCE = {
    "ViT-Tiny/16 (vit_tiny_patch16_224)": ViTConfig(
        img_size=224, patch_size=16, in_chans=3, num_classes=1000, dim=192, depth=12, num_heads=3, mlp_dim=768
    ),
    "ViT-Base/16 (vit_base_patch16_224)": ViTConfig(
        img_size=224, patch_size=16, in_chans=3, num_classes=1000, dim=768, depth=12, num_heads=12, mlp_dim=3072
    ),
}


def timm_kwargs(config: ViTConfig, layernorm_eps: float = COURSE_LAYERNORM_EPS) -> dict:
    """Los argumentos de ``VisionTransformer`` de timm que reproducen un ViT del curso con ``config``."""
    if not isinstance(config, ViTConfig):
        raise InputTypeError(
            f"config debe ser una ViTConfig y llegó {describe(config)}. Usa, por ejemplo, model.config."
        )
    if config.spt or config.lsa:
        raise ValueError(
            "timm no tiene parches desplazados (spt) ni autoatención de localidad (lsa): solo se pueden convertir "
            "ViT con spt=False y lsa=False."
        )
    if int(config.dim * (config.mlp_dim / config.dim)) != config.mlp_dim:  # timm calcula int(dim · mlp_ratio)
        raise ValueError(f"mlp_dim={config.mlp_dim} no es una proporción exacta de dim={config.dim} para mlp_ratio.")
    cls = config.pool == "cls"
    return dict(
        img_size=config.img_size,
        patch_size=config.patch_size,
        in_chans=config.in_chans,
        num_classes=config.num_classes,
        embed_dim=config.dim,
        depth=config.depth,
        num_heads=config.num_heads,
        mlp_ratio=config.mlp_dim / config.dim,
        qkv_bias=True,
        class_token=cls,
        global_pool="token" if cls else "avg",
        fc_norm=False,  # la norma final, sobre los tokens y antes de elegir CLS o hacer la media
        no_embed_class=False,  # pos_embed incluye la posición del CLS
        norm_layer=partial(nn.LayerNorm, eps=layernorm_eps),
        act_layer=nn.GELU,
        drop_rate=config.dropout,
        proj_drop_rate=config.dropout,
        attn_drop_rate=config.dropout,
        pos_drop_rate=config.dropout,
    )


def to_timm(model: ViT, layernorm_eps: float = COURSE_LAYERNORM_EPS) -> nn.Module:
    """Un ``timm.models.vision_transformer.VisionTransformer`` con los pesos de ``model``, en modo evaluación.

    Los nombres de los parámetros coinciden uno a uno y se cargan con ``strict=True`` (no falta ni sobra
    ninguno). Los embeddings seno-coseno fijos (``pos_embed="sincos"``) se copian en el ``pos_embed`` de timm.
    """
    from timm.models.vision_transformer import VisionTransformer

    if not isinstance(model, ViT):
        raise InputTypeError(f"model debe ser un ViT del curso y llegó {describe(model)}.")
    timm_model = VisionTransformer(**timm_kwargs(model.config, layernorm_eps))
    state = dict(model.state_dict())
    state["pos_embed"] = model.pos_embed.detach().clone()  # con pos_embed="sincos" no está en el state_dict
    timm_model.load_state_dict(state, strict=True)
    return timm_model.eval()


def max_logit_difference(model: ViT, timm_model: nn.Module, images: torch.Tensor, batch_size: int = 500) -> float:
    """La mayor diferencia absoluta entre los logits de los dos modelos en ``images`` (N, C, H, W)."""
    worst = 0.0
    model.eval()
    timm_model.eval()
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            xb = images[i : i + batch_size]
            worst = max(worst, (model(xb) - timm_model(xb)).abs().max().item())
    return worst


def timm_flops(timm_model: nn.Module, x: torch.Tensor) -> int:
    """FLOPs por imagen que mide ``FlopCounterMode`` en un modelo de timm (con su atención escrita a mano)."""
    from torch.utils.flop_counter import FlopCounterMode

    attns = [m for m in timm_model.modules() if hasattr(m, "fused_attn")]
    saved = [m.fused_attn for m in attns]
    try:
        for m in attns:
            m.fused_attn = False  # la atención fusionada no tiene cuenta de FLOPs en la CPU
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            timm_model.eval()(x)
    finally:
        for m, fused in zip(attns, saved):
            m.fused_attn = fused
    return counter.get_total_flops() // x.shape[0]
