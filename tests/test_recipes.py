import pytest
import torch

from utils.recipes import (
    CIRCULATING_CONFIG,
    QUICK_CONFIG,
    QUICK_RECIPE,
    QUICK_TIME_BUDGET_S,
    measure_train_throughput,
)
from utils.train import train_model
from utils.vit import ViT, count_parameters


def test_quick_recipe_is_valid_for_train_model():
    import inspect

    params = inspect.signature(train_model).parameters
    assert set(QUICK_RECIPE) <= set(params)
    assert QUICK_CONFIG.img_size == 28 and QUICK_TIME_BUDGET_S == 300


def test_circulating_config_is_the_d2l_architecture():
    c = CIRCULATING_CONFIG
    assert (c.img_size, c.patch_size, c.dim, c.depth, c.num_heads, c.mlp_dim) == (96, 16, 512, 2, 8, 2048)
    assert c.num_patches == 36
    assert count_parameters(ViT(config=c)) > 20 * count_parameters(ViT(config=QUICK_CONFIG))


def test_measure_train_throughput_leaves_model_untouched(real_batch):
    x, y = real_batch
    model = ViT(config=QUICK_CONFIG)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ips = measure_train_throughput(model, x, y, batch_size=8, steps=2, warmup_steps=1)
    ips2 = measure_train_throughput(model, x, y, batch_size=8, steps=2, warmup_steps=1, double_forward=True, rounds=2)
    assert ips > 0 and ips2 > 0
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_measure_train_throughput_bad_input(real_batch):
    x, y = real_batch
    with pytest.raises(ValueError, match="al menos batch_size=128"):
        measure_train_throughput(ViT(config=QUICK_CONFIG), x, y)
    with pytest.raises(ValueError, match="positivos"):
        measure_train_throughput(ViT(config=QUICK_CONFIG), x, y, batch_size=0)
    with pytest.raises(ValueError, match="positivos"):
        measure_train_throughput(ViT(config=QUICK_CONFIG), x, y, batch_size=8, rounds=0)


def test_checkpoint_recipe_is_valid_and_stays_small():
    import inspect

    from utils.recipes import CHECKPOINT_CONFIG, CHECKPOINT_RECIPE

    assert set(CHECKPOINT_RECIPE) <= set(inspect.signature(train_model).parameters)
    assert CHECKPOINT_RECIPE["use_augment"] and CHECKPOINT_RECIPE["erase_prob"] > 0
    n = count_parameters(ViT(config=CHECKPOINT_CONFIG))
    assert n * 4 < 4 * 2**20  # el archivo se queda en unos pocos MB
    assert CHECKPOINT_CONFIG.patch_size == 4 and CHECKPOINT_CONFIG.img_size == 28


def test_lesson_split_and_quick_recipe_follow_the_mode(fashion, monkeypatch):
    from utils.recipes import FAST_EPOCHS, FAST_SIZES, lesson_split, quick_recipe
    from utils.train import FAST_ENV

    monkeypatch.setenv(FAST_ENV, "1")
    x_train, y_train, x_val, y_val, x_test, y_test = lesson_split(fashion)
    assert (len(y_train), len(y_val), len(y_test)) == tuple(FAST_SIZES.values())
    assert x_train.dtype == torch.float32 and x_train.shape[1:] == (1, 28, 28)
    assert torch.bincount(y_val).min() == len(y_val) // 10
    assert quick_recipe()["epochs"] == FAST_EPOCHS
    monkeypatch.setenv(FAST_ENV, "0")
    _, y_train, _, y_val, _, y_test = lesson_split(fashion)
    assert (len(y_train), len(y_val), len(y_test)) == (55_000, 5_000, 10_000)
    assert quick_recipe() == QUICK_RECIPE


def test_measure_train_throughput_speed_levers_run_in_bf16(real_batch):
    x, y = real_batch
    torch.manual_seed(0)
    model = ViT(patch_size=7)
    seen = []
    model.head.register_forward_hook(lambda m, i, out: seen.append(out.dtype))  # la copia conserva el gancho
    assert measure_train_throughput(model, x, y, batch_size=8, steps=1, warmup_steps=0, autocast=True) > 0
    assert seen and set(seen) == {torch.bfloat16}
    seen.clear()
    measure_train_throughput(model, x, y, batch_size=8, steps=1, warmup_steps=0)
    assert set(seen) == {torch.float32}


def test_quick_recipe_for_budget_fits_the_machine(fashion, monkeypatch):
    from utils.budget import quick_recipe_for_budget
    from utils.data import to_float
    from utils.recipes import FAST_EPOCHS
    from utils.train import FAST_ENV

    x, y = to_float(fashion.train_images[:1024]), fashion.train_labels[:1024]
    monkeypatch.setenv(FAST_ENV, "0")
    recipe, plan = quick_recipe_for_budget(x, y, budget_s=1e6)
    assert recipe["epochs"] == plan["epocas"] == 100  # el máximo de plan_epochs
    assert {k: v for k, v in recipe.items() if k != "epochs"} == {
        k: v for k, v in QUICK_RECIPE.items() if k != "epochs"
    }
    small, plan = quick_recipe_for_budget(x, y, budget_s=0.05)
    assert small["epochs"] == plan["epocas"] == 1 and "no cabe ni una" in plan["por_que"]
    assert "," in plan["por_que"] and "." not in plan["por_que"].rstrip(".").replace("...", "")  # coma decimal
    monkeypatch.setenv(FAST_ENV, "1")
    assert quick_recipe_for_budget(x, y, budget_s=1e6)[0]["epochs"] == FAST_EPOCHS  # el plan se mide igual
