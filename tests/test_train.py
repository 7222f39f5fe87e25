import math

import pytest
import torch
import torch.nn.functional as F

from utils import train as T
from utils.checkpoints import load_checkpoint
from utils.data import to_float
from utils.vit import ViT


def _three_step_losses(fashion, seed):
    T.seed_everything(seed)
    model = ViT(dim=32, depth=2, num_heads=2, mlp_dim=64)
    opt = T.make_optimizer(model, 1e-3)
    g = torch.Generator().manual_seed(seed)
    x, y = to_float(fashion.train_images[:96]), fashion.train_labels[:96]
    losses = []
    for xb, yb in T.iterate_batches(x, y, 32, shuffle=True, generator=g):
        loss = F.cross_entropy(model(T.augment(xb, g)), yb, label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_same_seed_gives_bit_identical_losses(fashion):
    a, b = _three_step_losses(fashion, 0), _three_step_losses(fashion, 0)
    assert len(a) == 3 and a == b  # idénticas bit a bit
    assert _three_step_losses(fashion, 1) != a  # y otra semilla cambia el resultado


def test_augment_shifts_and_flips_real_images(fashion):
    x = to_float(fashion.test_images[:64])
    g = torch.Generator().manual_seed(0)
    out = T.augment(x, g)
    assert out.shape == x.shape and not torch.equal(out, x)
    # Sin desplazamiento ni volteo posibles, la salida es la entrada.
    torch.testing.assert_close(T.augment(x, g, pad=0, flip=False), x)
    # Cada salida es un desplazamiento (y quizá volteo) de su imagen: misma suma de píxeles salvo el borde.
    assert torch.allclose(out.mean(), x.mean(), atol=0.05)


def test_warmup_cosine_schedule():
    assert T.warmup_cosine(0, 100, 10) == pytest.approx(0.1)
    assert T.warmup_cosine(9, 100, 10) == pytest.approx(1.0)
    assert T.warmup_cosine(55, 100, 10) == pytest.approx(0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    assert T.warmup_cosine(100, 100, 10) == pytest.approx(0.01)


def test_fast_mode_and_pick(monkeypatch):
    monkeypatch.setenv(T.FAST_ENV, "1")
    assert T.is_fast_mode() and T.pick(100, 3) == 3
    monkeypatch.setenv(T.FAST_ENV, "0")
    assert not T.is_fast_mode() and T.pick(100, 3) == 100


def test_missing_device_falls_back_to_cpu(capsys):
    if torch.cuda.is_available():
        pytest.skip("hay GPU")
    assert T.get_device("cuda") == torch.device("cpu")
    assert "no hay GPU" in capsys.readouterr().out
    with pytest.raises(ValueError, match="Dispositivo desconocido"):
        T.get_device("tpu")


def test_train_model_learns_and_saves_checkpoint(fashion, tmp_path):
    x, y = to_float(fashion.train_images[:512]), fashion.train_labels[:512]
    xt, yt = to_float(fashion.test_images[:256]), fashion.test_labels[:256]
    model = ViT(dim=32, depth=2, num_heads=2, mlp_dim=64)
    path = tmp_path / "m.pt"
    hist = T.train_model(
        model,
        x,
        y,
        xt,
        yt,
        epochs=3,
        batch_size=32,
        lr=2e-3,
        warmup_epochs=0.25,
        use_augment=False,
        checkpoint_path=path,
        progress=False,
    )
    assert hist.epoch == [1, 2, 3] and len(hist.test_acc) == 3 and len(hist.lr) == 48
    assert hist.test_acc[-1] > 0.2  # el doble del azar tras 48 pasos pequeños
    assert hist.train_loss[1] < hist.train_loss[0]
    loaded, meta = load_checkpoint(path)
    assert meta["epoch"] == 3
    torch.testing.assert_close(loaded(xt[:8]), model.eval()(xt[:8]))


def test_interrupt_keeps_last_good_checkpoint(fashion, tmp_path, capsys, monkeypatch):
    x, y = to_float(fashion.train_images[:256]), fashion.train_labels[:256]
    model = ViT(dim=32, depth=1, num_heads=2, mlp_dim=32)
    path = tmp_path / "m.pt"
    T.train_model(model, x, y, epochs=1, batch_size=64, checkpoint_path=path, progress=False)
    good = path.read_bytes()
    calls = {"n": 0}
    real_step = torch.optim.AdamW.step

    def step_then_ctrl_c(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 6:  # a mitad de la segunda época
            raise KeyboardInterrupt
        return real_step(self, *a, **k)

    monkeypatch.setattr(torch.optim.AdamW, "step", step_then_ctrl_c)
    hist = T.train_model(model, x, y, epochs=3, batch_size=64, checkpoint_path=path, progress=False)
    assert hist.interrupted and hist.epoch == [1]
    out = capsys.readouterr().out
    assert "interrumpido" in out and str(path) in out and "época 1" in out
    assert path.read_bytes() != good  # se guardó la época 1 de esta segunda ejecución...
    load_checkpoint(path)  # ...y el archivo sigue siendo válido


def test_train_model_rejects_bad_arguments(fashion):
    x, y = to_float(fashion.train_images[:32]), fashion.train_labels[:32]
    model = ViT(dim=32, depth=1, num_heads=2, mlp_dim=32)
    with pytest.raises(ValueError, match="positivos"):
        T.train_model(model, x, y, epochs=0)
    with pytest.raises(ValueError, match="mayor que el número de ejemplos"):
        T.train_model(model, x, y, batch_size=64)
    with pytest.raises(ValueError, match="etiquetas"):
        T.train_model(model, x, y[:10])
