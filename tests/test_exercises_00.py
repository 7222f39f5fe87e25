"""Correctores del cuaderno 00: respuesta correcta → True, equivocada → False, None → False."""

import torch

from utils.exercises import check_brightest_class, check_class_count, check_mean_image


def test_check_class_count(fashion, capsys):
    c = fashion.classes.index("bolso")
    right = int((fashion.test_labels[:1000] == c).sum())
    assert check_class_count(right) is True
    assert check_class_count(torch.tensor(right)) is True
    assert check_class_count(right + 1) is False
    assert check_class_count(1000) is False
    assert check_class_count(None) is False
    assert check_class_count("cien") is False
    train_count = int((fashion.train_labels[:1000] == c).sum())
    if train_count != right:
        capsys.readouterr()
        assert check_class_count(train_count) is False
        assert "entrenamiento" in capsys.readouterr().out


def test_check_mean_image(fashion, capsys):
    c = fashion.classes.index("sandalia")
    right = fashion.train_images[fashion.train_labels == c].float().mean(0) / 255
    assert check_mean_image(right) is True
    assert check_mean_image(right.numpy()) is True
    assert check_mean_image(right + 0.01) is False
    assert check_mean_image(None) is False
    capsys.readouterr()
    assert check_mean_image(right * 255) is False
    assert "0-255" in capsys.readouterr().out
    assert check_mean_image(right[None]) is False
    assert "squeeze" in capsys.readouterr().out
    assert check_mean_image(fashion.test_images[fashion.test_labels == c].float().mean(0) / 255) is False
    assert "prueba" in capsys.readouterr().out


def test_check_brightest_class(fashion, capsys):
    x = fashion.train_images.float().mean(dim=(1, 2))
    brightness = torch.stack([x[fashion.train_labels == c].mean() for c in range(10)])
    right = int(brightness.argmax())
    assert check_brightest_class(right) is True
    assert check_brightest_class(fashion.classes[right]) is True
    assert check_brightest_class((right + 1) % 10) is False
    assert check_brightest_class(None) is False
    assert check_brightest_class("zapato de tacón") is False
    capsys.readouterr()
    assert check_brightest_class(int(brightness.argmin())) is False
    assert "oscura" in capsys.readouterr().out
