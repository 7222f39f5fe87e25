"""Correctores del cuaderno 00: respuesta correcta → True, equivocada → False, None → False."""

import torch

from utils.exercises import check_brightest_class, check_class_count, check_mean_image


def test_check_class_count(fashion, capsys):
    c = fashion.classes.index("bolso")
    right = int((fashion.test_labels[:1000] == c).sum())
    assert check_class_count(right)
    assert check_class_count(torch.tensor(right))
    assert not check_class_count(right + 1)
    assert not check_class_count(1000)
    assert not check_class_count(None)
    assert not check_class_count("cien")
    train_count = int((fashion.train_labels[:1000] == c).sum())
    if train_count != right:
        capsys.readouterr()
        assert not check_class_count(train_count)
        assert "entrenamiento" in capsys.readouterr().out


def test_check_mean_image(fashion, capsys):
    c = fashion.classes.index("sandalia")
    right = fashion.train_images[fashion.train_labels == c].float().mean(0) / 255
    assert check_mean_image(right)
    assert check_mean_image(right.numpy())
    assert not check_mean_image(right + 0.01)
    assert not check_mean_image(None)
    capsys.readouterr()
    assert not check_mean_image(right * 255)
    assert "0-255" in capsys.readouterr().out
    assert not check_mean_image(right[None])
    assert "squeeze" in capsys.readouterr().out
    assert not check_mean_image(fashion.test_images[fashion.test_labels == c].float().mean(0) / 255)
    assert "prueba" in capsys.readouterr().out


def test_check_brightest_class(fashion, capsys):
    x = fashion.train_images.float().mean(dim=(1, 2))
    brightness = torch.stack([x[fashion.train_labels == c].mean() for c in range(10)])
    right = int(brightness.argmax())
    assert check_brightest_class(right)
    assert check_brightest_class(fashion.classes[right])
    assert not check_brightest_class((right + 1) % 10)
    assert not check_brightest_class(None)
    assert not check_brightest_class("zapato de tacón")
    capsys.readouterr()
    assert not check_brightest_class(int(brightness.argmin()))
    assert "oscura" in capsys.readouterr().out
