import math
import re

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
    assert hist.epoch == [1, 2, 3] and len(hist.val_acc) == 3 and len(hist.lr) == 48 == len(hist.step_loss)
    assert hist.val_acc[-1] > 0.2  # el doble del azar tras 48 pasos pequeños
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


# --- El bucle a la vista, validación, no finitos y reanudar (issue 13) ---------------------------


def _hand_written_loop(model, x, y, xv, yv, epochs, batch_size, lr, seed, erase_prob):
    """El bucle que escribe el cuaderno 05, con las mismas semillas y el mismo orden que train_model."""
    T.seed_everything(seed)
    g = torch.Generator().manual_seed(seed)
    opt = T.make_optimizer(model, lr, 0.05)
    steps = len(y) // batch_size
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: T.warmup_cosine(s, epochs * steps, steps))
    losses, val_accs = [], []
    for _ in range(epochs):
        model.train()
        for xb, yb in T.iterate_batches(x, y, batch_size, shuffle=True, generator=g, drop_last=True):
            xb = T.random_erasing(T.augment(xb, g), g, p=erase_prob)
            loss = F.cross_entropy(model(xb), yb, label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            val_accs.append((model(xv).argmax(1) == yv).float().mean().item())
    return losses, val_accs


def test_hand_written_loop_matches_train_model_bit_for_bit(fashion):
    x, y = to_float(fashion.train_images[:256]), fashion.train_labels[:256]
    xv, yv = to_float(fashion.train_images[-200:]), fashion.train_labels[-200:]
    T.seed_everything(0)
    hand_model = ViT(dim=32, depth=2, num_heads=2, mlp_dim=64)
    hand, hand_val = _hand_written_loop(hand_model, x, y, xv, yv, 2, 64, 2e-3, 0, 0.5)
    T.seed_everything(0)
    model = ViT(dim=32, depth=2, num_heads=2, mlp_dim=64)
    hist = T.train_model(
        model, x, y, xv, yv, epochs=2, batch_size=64, lr=2e-3, erase_prob=0.5, progress=False, device="cpu"
    )
    assert len(hand) == 8 and hist.step_loss == hand  # las mismas pérdidas, bit a bit
    assert hist.val_acc == hand_val
    for a, b in zip(model.state_dict().values(), hand_model.state_dict().values()):
        assert torch.equal(a, b)


def test_train_model_reports_validation_each_epoch(fashion, capsys):
    x, y = to_float(fashion.train_images[:128]), fashion.train_labels[:128]
    xv, yv = to_float(fashion.train_images[-100:]), fashion.train_labels[-100:]
    hist = T.train_model(ViT(dim=32, depth=1, num_heads=2, mlp_dim=32), x, y, xv, yv, epochs=2, batch_size=64,
                         progress=False)  # fmt: skip
    out = capsys.readouterr().out
    assert "Época 1/2" in out and "Época 2/2" in out and out.count("de validación") == 2
    assert len(hist.val_acc) == len(hist.val_loss) == 2 and not hasattr(hist, "test_acc")


def _all_params_finite(model):
    return all(torch.isfinite(p).all() for p in model.parameters())


def test_non_finite_loss_stops_and_keeps_good_checkpoint(fashion, tmp_path):
    x, y = to_float(fashion.train_images[:128]), fashion.train_labels[:128]
    model = ViT(dim=32, depth=1, num_heads=2, mlp_dim=32)
    path = tmp_path / "m.pt"
    T.train_model(model, x, y, epochs=1, batch_size=64, checkpoint_path=path, progress=False)
    good = path.read_bytes()
    # Una tasa de aprendizaje disparatada rompe los pesos en el primer paso: la pérdida siguiente ya no es finita.
    with pytest.raises(T.NonFiniteLossError, match=r"en el paso \d+ .*tasa de aprendizaje más baja.*datos"):
        T.train_model(model, x, y, epochs=2, batch_size=64, lr=1e12, warmup_epochs=0.01, checkpoint_path=path,
                      progress=False)  # fmt: skip
    assert path.read_bytes() == good  # el punto de control bueno sigue intacto
    assert _all_params_finite(load_checkpoint(path)[0])
    with pytest.raises(T.NonFiniteLossError, match="intacto|ningún punto de control"):
        T.train_model(ViT(dim=32, depth=1, num_heads=2, mlp_dim=32), x, y, epochs=1, batch_size=64, lr=1e12,
                      warmup_epochs=0.01, progress=False, checkpoint_path=tmp_path / "otro.pt")  # fmt: skip
    assert not (tmp_path / "otro.pt").exists()


def test_resume_from_state_gives_the_same_result(fashion, tmp_path, monkeypatch):
    x, y = to_float(fashion.train_images[:192]), fashion.train_labels[:192]
    kwargs = dict(epochs=3, batch_size=64, lr=2e-3, erase_prob=0.25, progress=False, device="cpu")
    T.seed_everything(0)
    straight = ViT(dim=32, depth=1, num_heads=2, mlp_dim=32, dropout=0.1)
    full = T.train_model(straight, x, y, **kwargs)

    state = tmp_path / "estado.pt"
    T.seed_everything(0)
    model = ViT(dim=32, depth=1, num_heads=2, mlp_dim=32, dropout=0.1)
    calls = {"n": 0}
    real_step = torch.optim.AdamW.step

    def ctrl_c_in_second_epoch(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real_step(self, *a, **k)

    monkeypatch.setattr(torch.optim.AdamW, "step", ctrl_c_in_second_epoch)
    first = T.train_model(model, x, y, state_path=state, **kwargs)
    assert first.interrupted and first.epoch == [1] and state.exists()
    monkeypatch.setattr(torch.optim.AdamW, "step", real_step)
    T.seed_everything(123)  # otra semilla global: el estado guardado manda
    fresh = ViT(dim=32, depth=1, num_heads=2, mlp_dim=32, dropout=0.1)
    resumed = T.train_model(fresh, x, y, state_path=state, **kwargs)
    assert resumed.epoch == [1, 2, 3] and resumed.step_loss == full.step_loss
    for a, b in zip(fresh.state_dict().values(), straight.state_dict().values()):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="otro entrenamiento"):
        T.train_model(fresh, x, y, state_path=state, **{**kwargs, "lr": 1e-3})


def test_random_erasing_blanks_a_rectangle(fashion):
    x = to_float(fashion.test_images[:32])
    g = torch.Generator().manual_seed(0)
    assert torch.equal(T.random_erasing(x, g, p=0.0), x)
    out = T.random_erasing(x, g, p=1.0, scale=(0.1, 0.1))
    changed = (out != x).flatten(1).float().sum(1) / (28 * 28)
    assert out.shape == x.shape and (changed > 0).float().mean() > 0.8
    assert changed.max() <= 0.2  # como mucho el rectángulo pedido (con redondeo)
    assert torch.all(out[out != x] == x.amin())


def test_progress_bar_leaves_a_text_summary(fashion, capsys):
    x, y = to_float(fashion.train_images[:128]), fashion.train_labels[:128]
    T.train_model(ViT(dim=32, depth=1, num_heads=2, mlp_dim=32), x, y, epochs=1, batch_size=64, progress=True)
    captured = capsys.readouterr()
    assert "Época 1/1: pérdida" in captured.out and "exactitud de entrenamiento" in captured.out
    # con coma decimal, como el resto del curso: «pérdida 2,301, exactitud de entrenamiento 10,94 %»
    assert re.search(r"pérdida \d+,\d{3}, exactitud de entrenamiento \d+,\d{2} %", captured.out), captured.out


def test_compile_falls_back_cleanly_when_it_fails(fashion, monkeypatch, capsys):
    x, y = to_float(fashion.train_images[:128]), fashion.train_labels[:128]

    def run(**kw):
        torch.manual_seed(0)
        model = ViT(dim=32, depth=1, num_heads=2, mlp_dim=32)
        return T.train_model(model, x, y, epochs=1, batch_size=32, progress=False, device="cpu", **kw).step_loss

    eager = run()

    def broken_compile(model, **kw):  # como en una máquina sin compilador de C: falla al primer paso
        def fail(*a, **k):
            raise RuntimeError("InductorError: no se encuentra el compilador de C\n(mil líneas más)")

        return fail

    monkeypatch.setattr(torch, "compile", broken_compile)
    fallback = run(compile=True)
    out = capsys.readouterr().out
    assert "torch.compile no funciona en esta máquina (RuntimeError: InductorError" in out and "mil líneas" not in out
    assert fallback == eager  # sin compilar, el mismo entrenamiento bit a bit


def test_compile_trains_the_same_model(fashion):
    x, y = to_float(fashion.train_images[:64]), fashion.train_labels[:64]
    losses = {}
    for flag in (False, True):
        torch.manual_seed(0)
        model = ViT(dim=16, depth=1, num_heads=2, mlp_dim=16)
        losses[flag] = T.train_model(
            model, x, y, epochs=1, batch_size=32, progress=False, device="cpu", compile=flag, use_augment=False
        ).step_loss
    assert len(losses[True]) == 2 and max(abs(a - b) for a, b in zip(losses[False], losses[True])) < 1e-4
