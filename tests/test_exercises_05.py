"""Correctores del cuaderno 05: la respuesta correcta pasa y un banco de respuestas equivocadas no."""

import math

import pytest
import torch
from torch import nn

from utils import exercises as ex
from utils.train import warmup_cosine

NAN, INF = float("nan"), float("inf")


def _expected_lr():
    e = ex.LR_EXERCISE
    return e["base_lr"] * warmup_cosine(e["step"], e["total_steps"], e["warmup_steps"])


def _no_min_lr():
    e = ex.LR_EXERCISE
    progress = (e["step"] - e["warmup_steps"]) / (e["total_steps"] - e["warmup_steps"])
    return e["base_lr"] * 0.5 * (1 + math.cos(math.pi * progress))


def test_check_lr_at_step():
    assert ex.check_lr_at_step(_expected_lr())
    assert ex.check_lr_at_step(torch.tensor(_expected_lr()))


@pytest.mark.parametrize(
    "wrong",
    [
        ex.LR_EXERCISE["base_lr"],  # la tasa base
        _expected_lr() / ex.LR_EXERCISE["base_lr"],  # el factor, sin la tasa base
        _no_min_lr(),  # olvida min_factor
        NAN,
        INF,
        None,
        "0.002",
        True,
        torch.tensor([_expected_lr(), _expected_lr()]),
    ],
)
def test_check_lr_at_step_rejects(wrong):
    assert not ex.check_lr_at_step(wrong)


def test_check_lr_at_step_hint_for_missing_min_factor(capsys):
    assert not ex.check_lr_at_step(_no_min_lr())
    assert "min_factor" in capsys.readouterr().out


def _logits_and_labels():
    logits = torch.tensor([[2.0, 0.1, 0.0], [0.0, 3.0, 0.1], [0.2, 0.1, 0.0], [0.0, 0.0, 1.0]])
    labels = torch.tensor([0, 1, 2, 2])
    return logits, labels  # 3 de 4 aciertos


def test_check_accuracy_from_logits():
    logits, labels = _logits_and_labels()
    assert ex.check_accuracy_from_logits(0.75, logits, labels)
    assert ex.check_accuracy_from_logits(torch.tensor(0.75), logits, labels)


@pytest.mark.parametrize("wrong", [75.0, 3, 0.5, None, NAN, INF, "0.75", True, torch.tensor([0.75, 0.75])])
def test_check_accuracy_from_logits_rejects(wrong):
    logits, labels = _logits_and_labels()
    assert not ex.check_accuracy_from_logits(wrong, logits, labels)


STEPS = dict(n_train=55_000, batch_size=256, epochs=10, warmup_epochs=1)  # 214 lotes por época


def test_check_steps_prediction():
    assert ex.check_steps_prediction((2140, 214), **STEPS)
    assert ex.check_steps_prediction([2140.0, 214], **STEPS)


@pytest.mark.parametrize(
    "wrong",
    [
        (214, 2140),  # al revés
        (2150, 215),  # redondea hacia arriba (sin drop_last)
        (4290, 429),  # el lote de 128
        (2140, 2140),
        (NAN, 214),
        None,
        2140,
        ("2140", "214"),
    ],
)
def test_check_steps_prediction_rejects(wrong):
    assert not ex.check_steps_prediction(wrong, **STEPS)


class _FixedPredictions(nn.Module):
    """Un «modelo» que predice la clase escrita en el primer píxel de cada imagen (para saber su matriz)."""

    def forward(self, x):
        return nn.functional.one_hot(x[:, 0, 0, 0].long(), 10).float()


def _confusion_data():
    # Clase verdadera 6 (camisa) predicha como 0 (camiseta/top) 5 veces; 0 → 6 solo 2 veces; 2 → 4 tres veces.
    truth = [6] * 5 + [0] * 2 + [2] * 3 + list(range(10)) * 3
    preds = [0] * 5 + [6] * 2 + [4] * 3 + list(range(10)) * 3
    images = torch.zeros(len(truth), 1, 28, 28)
    images[:, 0, 0, 0] = torch.tensor(preds, dtype=torch.float)
    return images, torch.tensor(truth)


def test_check_most_confused_pair_recomputes_from_the_model():
    images, labels = _confusion_data()
    model = _FixedPredictions()
    assert ex.check_most_confused_pair((6, 0), model, images, labels)
    assert ex.check_most_confused_pair(("camisa", "camiseta/top"), model, images, labels)
    assert ex.check_most_confused_pair((torch.tensor(6), torch.tensor(0)), model, images, labels)


@pytest.mark.parametrize(
    "wrong",
    [
        (0, 6),  # al revés (lo que da una matriz transpuesta)
        (2, 4),  # la segunda pareja
        (6, 6),  # la diagonal
        ("camisa", "vestido"),
        ("x", "camisa"),
        (NAN, 0),
        None,
        "camisa",
    ],
)
def test_check_most_confused_pair_rejects(wrong):
    images, labels = _confusion_data()
    assert not ex.check_most_confused_pair(wrong, _FixedPredictions(), images, labels)


def test_check_most_confused_pair_needs_the_model():
    images, labels = _confusion_data()
    cm = torch.zeros(10, 10)
    assert not ex.check_most_confused_pair((6, 0), None, images, labels)  # sin modelo no hay respuesta
    assert not ex.check_most_confused_pair((6, 0), cm, images, labels)  # una matriz no es un modelo


class _Constant(nn.Module):
    def __init__(self, cls, value=1.0):
        super().__init__()
        self.cls, self.value = cls, value
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        out = torch.zeros(len(x), 10)
        out[:, self.cls] = self.value
        return out


def test_check_beats_quick_recipe_recomputes_accuracy_and_time():
    images, labels = torch.zeros(40, 1, 28, 28), torch.tensor([3] * 30 + [1] * 10)  # «siempre 3» acierta el 75 %
    assert ex.check_beats_quick_recipe(lambda: _Constant(3), 0.70, images, labels, budget_s=60)


def _slow():
    import time

    time.sleep(0.3)
    return _Constant(3)


def _raises():
    raise RuntimeError("me equivoqué")


@pytest.mark.parametrize(
    "train_fn, baseline",
    [
        (lambda: _Constant(1), 0.70),  # el modelo real solo acierta el 25 %
        (lambda: _Constant(3), 0.80),  # no supera la referencia
        (lambda: _Constant(3, NAN), 0.70),  # salidas NaN
        (lambda: (0.99, 10), 0.70),  # cifras escritas a mano en vez de un modelo
        (_Constant(3), 0.70),  # el modelo en vez de la función
        (None, 0.70),
        (_raises, 0.70),
        (_slow, 0.70),  # se pasa del presupuesto (0,1 s)
        (lambda: _Constant(3), NAN),  # referencia NaN
        (lambda: _Constant(3), -1.0),
    ],
)
def test_check_beats_quick_recipe_rejects(train_fn, baseline):
    images, labels = torch.zeros(40, 1, 28, 28), torch.tensor([3] * 30 + [1] * 10)
    assert not ex.check_beats_quick_recipe(train_fn, baseline, images, labels, budget_s=0.1)


# --- 05b ---------------------------------------------------------------------------------------


def _floor(eps, k=10):
    q = torch.full((k,), eps / k)
    q[0] += 1 - eps
    return -(q * q.log()).sum().item()


def test_check_smoothing_floor():
    assert ex.check_smoothing_floor(_floor(0.2))
    assert ex.check_smoothing_floor(torch.tensor(_floor(0.2)))


@pytest.mark.parametrize(
    "wrong",
    [
        _floor(0.1),  # el de la receta
        _floor(0.2) / math.log(2),  # en bits
        -math.log(0.82),  # solo la clase correcta
        0.0,
        math.log(10),
        NAN,
        INF,
        None,
        "0.87",
    ],
)
def test_check_smoothing_floor_rejects(wrong):
    assert not ex.check_smoothing_floor(wrong)


def test_predictions_follow_the_model_device(monkeypatch):
    """Un modelo entrenado en la GPU se evalúa allí: las imágenes van a su dispositivo (aquí, simulado)."""
    from utils.exercises import nb05_training as nb05

    seen = []

    class _Recorder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            seen.append(x.device)
            return torch.zeros(len(x), 10)

    real_to = torch.Tensor.to
    monkeypatch.setattr(torch.Tensor, "to", lambda self, *a, **k: (seen.append("to"), real_to(self, *a, **k))[1])
    assert nb05._predictions(_Recorder(), torch.zeros(3, 1, 28, 28)).tolist() == [0, 0, 0]
    assert seen[0] == "to"  # cada lote pasa antes por .to(dispositivo del modelo)
