import math

import torch

from utils import exercises as ex
from utils.train import warmup_cosine


def _expected_lr():
    e = ex.LR_EXERCISE
    return e["base_lr"] * warmup_cosine(e["step"], e["total_steps"], e["warmup_steps"])


def test_check_lr_at_step():
    assert ex.check_lr_at_step(_expected_lr())
    assert ex.check_lr_at_step(torch.tensor(_expected_lr()))
    assert not ex.check_lr_at_step(ex.LR_EXERCISE["base_lr"])
    assert not ex.check_lr_at_step(_expected_lr() / ex.LR_EXERCISE["base_lr"])  # el factor, sin la tasa base
    assert not ex.check_lr_at_step(None)
    assert not ex.check_lr_at_step("0.002")


def test_check_lr_at_step_hint_for_missing_min_factor(capsys):
    e = ex.LR_EXERCISE
    progress = (e["step"] - e["warmup_steps"]) / (e["total_steps"] - e["warmup_steps"])
    no_min = e["base_lr"] * 0.5 * (1 + math.cos(math.pi * progress))
    assert not ex.check_lr_at_step(no_min)
    assert "min_factor" in capsys.readouterr().out


def _logits_and_labels():
    logits = torch.tensor([[2.0, 0.1, 0.0], [0.0, 3.0, 0.1], [0.2, 0.1, 0.0], [0.0, 0.0, 1.0]])
    labels = torch.tensor([0, 1, 2, 2])
    return logits, labels  # 3 de 4 aciertos


def test_check_accuracy_from_logits():
    logits, labels = _logits_and_labels()
    assert ex.check_accuracy_from_logits(0.75, logits, labels)
    assert ex.check_accuracy_from_logits(torch.tensor(0.75), logits, labels)
    assert not ex.check_accuracy_from_logits(75.0, logits, labels)
    assert not ex.check_accuracy_from_logits(3, logits, labels)
    assert not ex.check_accuracy_from_logits(0.5, logits, labels)
    assert not ex.check_accuracy_from_logits(None, logits, labels)


def test_check_most_confused_pair():
    cm = torch.tensor([[50, 2, 9], [1, 60, 0], [4, 3, 40]])
    assert ex.check_most_confused_pair((0, 2), cm, classes=["a", "b", "c"])
    assert ex.check_most_confused_pair(("a", "c"), cm, classes=["a", "b", "c"])
    assert not ex.check_most_confused_pair((2, 0), cm, classes=["a", "b", "c"])  # al revés
    assert not ex.check_most_confused_pair((1, 1), cm, classes=["a", "b", "c"])  # diagonal
    assert not ex.check_most_confused_pair(("x", "c"), cm, classes=["a", "b", "c"])
    assert not ex.check_most_confused_pair(None, cm)


def test_check_most_confused_pair_default_spanish_classes():
    cm = torch.eye(10, dtype=torch.long) * 100
    cm[6, 0] = 30  # camisa → camiseta/top
    assert ex.check_most_confused_pair(("camisa", "camiseta/top"), cm)
    assert ex.check_most_confused_pair((6, 0), cm)
    assert not ex.check_most_confused_pair((0, 6), cm)


def test_check_beats_quick_recipe():
    assert ex.check_beats_quick_recipe(0.90, 250, 0.885)
    assert not ex.check_beats_quick_recipe(0.88, 250, 0.885)  # no la supera
    assert not ex.check_beats_quick_recipe(0.90, 400, 0.885)  # se pasa de tiempo
    assert not ex.check_beats_quick_recipe(90.0, 250, 0.885)  # porcentaje
    assert not ex.check_beats_quick_recipe(None, None, 0.885)
