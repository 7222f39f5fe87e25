"""El ViT del curso convertido a timm da los mismos logits (números, no solo formas)."""

import pytest
import torch

pytest.importorskip("timm")

from utils.checkpoints import load_checkpoint  # noqa: E402
from utils.data import to_float  # noqa: E402
from utils.flops import vit_flops  # noqa: E402
from utils.timm_convert import (  # noqa: E402
    TIMM_REFERENCE,
    max_logit_difference,
    timm_flops,
    timm_kwargs,
    to_timm,
)
from utils.vit import ViT, count_parameters  # noqa: E402


@pytest.fixture(scope="module")
def shipped():
    model, _ = load_checkpoint("checkpoints/vit_fashion_mnist.pt")
    return model


@pytest.fixture(scope="module")
def test_images(fashion):
    return to_float(fashion.test_images[:500]), fashion.test_labels[:500]


def test_shipped_checkpoint_in_timm_gives_the_same_logits(shipped, test_images):
    x, y = test_images
    t = to_timm(shipped)
    assert type(t).__module__ == "timm.models.vision_transformer"
    assert max_logit_difference(shipped, t, x) < 1e-5
    with torch.no_grad():
        acc = (t(x).argmax(1) == y).float().mean().item()
    assert acc > 0.88  # el punto de control de verdad, no uno al azar
    assert count_parameters(t) == count_parameters(shipped) == 456_394


def test_parameter_names_map_one_to_one(shipped):
    t = to_timm(shipped)
    ours = {k: v.shape for k, v in shipped.state_dict().items()}
    theirs = {k: v.shape for k, v in t.state_dict().items()}
    assert ours == theirs


def test_timm_default_layernorm_eps_changes_the_logits(shipped, test_images):
    x, _ = test_images
    assert timm_kwargs(shipped.config)["norm_layer"](8).eps == 1e-5
    diff = max_logit_difference(shipped, to_timm(shipped, layernorm_eps=1e-6), x)
    assert diff > 1e-5  # con el eps de timm ya no coinciden a 1e-5


@pytest.mark.parametrize("kwargs", [dict(pool="mean"), dict(pos_embed="sincos"), dict(pool="mean", pos_embed="sincos")])
def test_variants_timm_can_express_convert_exactly(kwargs, test_images):
    x, _ = test_images
    torch.manual_seed(0)
    model = ViT(**kwargs).eval()
    with torch.no_grad():  # pesos no triviales en las normas y el CLS
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    assert max_logit_difference(model, to_timm(model), x[:64]) < 1e-5


@pytest.mark.parametrize("kwargs", [dict(spt=True), dict(lsa=True)])
def test_variants_timm_lacks_are_refused_in_spanish(kwargs):
    with pytest.raises(ValueError, match="timm no tiene"):
        to_timm(ViT(**kwargs))


def test_bad_model_is_refused():
    with pytest.raises(TypeError, match="ViT del curso"):
        to_timm("mi modelo")


def test_flop_count_matches_timm_measurement(shipped, test_images):
    x, _ = test_images
    assert timm_flops(to_timm(shipped), x[:2]) == vit_flops(shipped.config)
    from timm.models.vision_transformer import VisionTransformer

    tiny = TIMM_REFERENCE["ViT-Tiny/16 (vit_tiny_patch16_224)"]
    model = VisionTransformer(**timm_kwargs(tiny, 1e-6))
    assert count_parameters(model) == 5_717_416  # lo que timm da para vit_tiny_patch16_224
    assert timm_flops(model, torch.randn(1, 3, 224, 224)) == vit_flops(tiny)
