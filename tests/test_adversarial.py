"""Entradas adversarias, como las de un estudiante despistado o una descarga rota.

Cada caso de entrada mala afirma el tipo de la excepción, que el mensaje está en español (tiene
palabras españolas y ninguna frase inglesa de PyTorch o de Python) y que nombra el valor malo o el
arreglo. Cada caso de entrada válida (``np.int64(1)`` como índice, una máscara (B, N, N) con B igual
al número de cabezas…) afirma el resultado correcto. Áreas: modelo, atención, parches, datos,
entrenamiento, puntos de control, explain, explorer y exercises.
"""

from __future__ import annotations

import math
import os
import shutil
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils import checkpoints as C
from utils import data as D
from utils import explain as E
from utils import train as T
from utils.attention import MultiHeadAttention, scaled_dot_product_attention
from utils.cnn import SmallCNN
from utils.exercises import core
from utils.explorer import render
from utils.patches import PatchEmbedding, patchify, unpatchify
from utils.recipes import CHECKPOINT_CONFIG
from utils.validation import InputTypeError
from utils.vit import ViT, ViTConfig

SPANISH = (
    "debe", "usa ", "Usa ", " es ", " son ", "hay ", "Hay ", "tiene", "está", "vale", "fuera de rango",
    "conviért", "no coincide", "carpeta", "archivo", "máscara", "clase", "número", "falta", "no existe", "espera",
    "llegó", "forma", "No existe", "función", "tu código",
)  # fmt: skip
ENGLISH = (
    "Expected", "expected", "must be", "Error(s)", " got ", "argument", "mismatch", "Traceback",
    "object has no attribute", "not supported", "cannot", "Tried to", "Invalid", "invalid", "only ",
)  # fmt: skip


def assert_spanish(message: str, *needles: str) -> None:
    """El mensaje está en español, sin frases inglesas, y contiene cada ``needle`` (el valor malo o el arreglo)."""
    assert any(w in message for w in SPANISH), f"no parece español: {message}"
    assert not any(w in message for w in ENGLISH), f"tiene frases en inglés: {message}"
    for needle in needles:
        assert needle in message, f"el mensaje no nombra {needle!r}: {message}"


# --- Contexto común: datos reales pequeños y modelos diminutos --------------------------------


@pytest.fixture(scope="module")
def base(fashion):
    torch.manual_seed(0)
    u8 = fashion.test_images[:64]
    vit = ViT(dim=16, depth=2, num_heads=2, mlp_dim=16).eval()
    return SimpleNamespace(
        u8=u8,
        x=D.to_float(u8),
        y=fashion.test_labels[:64].clone(),
        vit=vit,
        cnn=SmallCNN(channels=(4, 8)).eval(),
        maps=vit.attention_maps(D.to_float(u8[:2])),
    )


@pytest.fixture
def c(base, tmp_path, monkeypatch):
    ctx = SimpleNamespace(**vars(base), tmp=tmp_path, mp=monkeypatch)
    ctx.ckpt = C.save_checkpoint(tmp_path / "m.pt", base.vit, {"nota": "prueba"})
    return ctx


def tamper(path, change):
    payload = torch.load(path, weights_only=True)
    change(payload)
    torch.save(payload, path)


def resign(payload):
    payload["sha256"] = C.checkpoint_sha256(payload["config"], payload["metadata"], payload["state_dict"])


def train(c, model=None, x=None, y=None, xv=None, yv=None, **kw):
    """train_model con datos reales pequeños; cualquier error debe salir antes de la primera época."""
    kw.setdefault("epochs", 1)
    kw.setdefault("batch_size", 32)
    kw.setdefault("progress", False)
    kw.setdefault("device", "cpu")
    model = c.vit if model is None else model
    return T.train_model(model, c.x if x is None else x, c.y if y is None else y, xv, yv, **kw)


def no_step(*a, **k):  # si el entrenamiento llega a dar un paso, el error no salió antes de entrenar
    raise AssertionError("el error debía salir antes de entrenar")


def label_with(value):
    def make(c):
        y = c.y.clone()
        y[5] = value
        return y

    return make


# --- Casos de entrada mala: (área, llamada, excepción, palabras que debe contener el mensaje) ---

BAD = {
    # Modelo
    "vit-uint8": (lambda c: c.vit(c.u8[:2, None]), InputTypeError, ["uint8", "to_float"]),
    "vit-float64": (lambda c: c.vit(c.x[:2].double()), InputTypeError, ["float64", "x.float()"]),
    "vit-numpy": (lambda c: c.vit(c.x[:2].numpy()), InputTypeError, ["NumPy", "torch.from_numpy"]),
    "vit-lista": (lambda c: c.vit(c.x[:2].tolist()), InputTypeError, ["lista", "torch.tensor"]),
    "vit-nan": (lambda c: c.vit(c.x[:2].clone().index_fill_(2, torch.tensor([3]), math.nan)), ValueError, ["NaN"]),
    "vit-inf": (lambda c: c.vit(c.x[:2] / 0.0), ValueError, ["infinitos"]),
    "vit-0-255": (lambda c: c.vit(c.u8[:2, None].float()), ValueError, ["255", "to_float"]),
    "vit-int64": (lambda c: c.vit(c.u8[:2, None].long()), InputTypeError, ["int64", "to_float"]),
    "vit-otro-dispositivo": (lambda c: c.vit(c.x[:2].to("meta")), ValueError, ["meta", "x.to('cpu')"]),
    "cnn-otro-dispositivo": (lambda c: c.cnn(c.x[:2].to("meta")), ValueError, ["meta", "model.to(device)"]),
    "vit-bool": (lambda c: c.vit(c.x[:2] > 0), InputTypeError, ["bool"]),
    "vit-sin-canal": (lambda c: c.vit(c.x[:2, 0]), ValueError, ["unsqueeze(1)"]),
    "vit-3-canales": (lambda c: c.vit(c.x[:2].expand(2, 3, 28, 28)), ValueError, ["(2, 3, 28, 28)"]),
    "config-dropout-str": (lambda c: ViTConfig(dropout="0.1"), InputTypeError, ["'0.1'", "dropout=0.1"]),
    "config-dropout-nan": (lambda c: ViTConfig(dropout=math.nan), ValueError, ["dropout", "nan"]),
    "config-dropout-1.5": (lambda c: ViTConfig(dropout=1.5), ValueError, ["dropout", "1.5"]),
    "vit-dim-2**40": (lambda c: ViT(dim=2**40), ValueError, ["dim=1099511627776", "GiB"]),
    "vit-img-enorme": (lambda c: ViT(img_size=2**20, patch_size=1), ValueError, ["img_size=1048576", "GiB"]),
    "vit-depth-true": (lambda c: ViT(depth=True), InputTypeError, ["depth", "True", "booleano"]),
    "vit-dim-float": (lambda c: ViT(dim=64.0), InputTypeError, ["64.0", "dim=64"]),
    "vit-heads-str": (lambda c: ViT(num_heads="4"), InputTypeError, ["'4'", "num_heads=4"]),
    "vit-dim-negativo": (lambda c: ViT(dim=-64), ValueError, ["dim", "-64"]),
    "vit-no-divisible": (lambda c: ViT(dim=30, num_heads=4), ValueError, ["dim=30", "num_heads=4"]),
    "vit-config-dict": (lambda c: ViT(config={"dim": 64}), InputTypeError, ["ViTConfig.from_dict"]),
    "cnn-uint8": (lambda c: c.cnn(c.u8[:2, None]), InputTypeError, ["uint8", "to_float"]),
    "cnn-nan": (lambda c: c.cnn(c.x[:2] * math.nan), ValueError, ["NaN"]),
    "cnn-channels-int": (lambda c: SmallCNN(channels=32), InputTypeError, ["channels", "32"]),
    "cnn-channels-cero": (lambda c: SmallCNN(channels=(32, 0)), ValueError, ["channels[1]", "0"]),
    "cnn-enorme": (lambda c: SmallCNN(channels=(2**20, 2**20)), ValueError, ["GiB"]),
    # Atención
    "mascara-toda-false-fusionada": (
        lambda c: MultiHeadAttention(16, 2)(torch.randn(2, 5, 16), mask=torch.zeros(5, 5, dtype=torch.bool)),
        ValueError,
        ["fila 0", "toda False", "torch.eye"],
    ),
    "mascara-toda-false-a-mano": (
        lambda c: MultiHeadAttention(16, 2)(
            torch.randn(2, 5, 16),
            mask=torch.eye(5, dtype=torch.bool).index_fill(0, torch.tensor([3]), False),
            return_weights=True,
        ),
        ValueError,
        ["fila 3", "toda False"],
    ),
    "mascara-toda-false-funcion": (
        lambda c: scaled_dot_product_attention(*torch.randn(3, 4, 3).unbind(0), mask=torch.zeros(4, 4).bool()),
        ValueError,
        ["toda False"],
    ),
    "mascara-float-toda-menos-inf": (
        lambda c: scaled_dot_product_attention(*torch.randn(3, 4, 3).unbind(0), mask=torch.full((4, 4), -math.inf)),
        ValueError,
        ["-inf"],
    ),
    "mascara-float-nan": (
        lambda c: scaled_dot_product_attention(*torch.randn(3, 4, 3).unbind(0), mask=torch.full((4, 4), math.nan)),
        ValueError,
        ["NaN"],
    ),
    "mascara-B-distinto": (
        lambda c: MultiHeadAttention(16, 2)(torch.randn(2, 5, 16), mask=torch.ones(3, 5, 5, dtype=torch.bool)),
        ValueError,
        ["(3, 5, 5)", "(1, H, N, N)"],
    ),
    "mascara-int64": (
        lambda c: MultiHeadAttention(16, 2)(torch.randn(2, 5, 16), mask=torch.ones(5, 5, dtype=torch.long)),
        InputTypeError,
        ["int64", "mask.bool()"],
    ),
    "mascara-lista": (
        lambda c: MultiHeadAttention(16, 2)(torch.randn(2, 5, 16), mask=[[True] * 5] * 5),
        InputTypeError,
        ["mask", "torch.tensor"],
    ),
    "mascara-forma": (
        lambda c: MultiHeadAttention(16, 2)(torch.randn(2, 5, 16), mask=torch.ones(4, 4, dtype=torch.bool)),
        ValueError,
        ["(4, 4)", "(5, 5)"],
    ),
    "mha-enorme": (lambda c: MultiHeadAttention(2**40, 1), ValueError, ["dim=1099511627776", "GiB"]),
    "mha-heads-true": (lambda c: MultiHeadAttention(16, True), InputTypeError, ["num_heads", "True"]),
    "mha-dropout-str": (lambda c: MultiHeadAttention(16, 2, dropout="0.1"), InputTypeError, ["'0.1'"]),
    "mha-float64": (lambda c: MultiHeadAttention(16, 2)(torch.randn(2, 5, 16).double()), InputTypeError, ["float64"]),
    "mha-numpy": (lambda c: MultiHeadAttention(16, 2)(np.zeros((2, 5, 16))), InputTypeError, ["NumPy"]),
    "sdpa-dropout-1": (
        lambda c: scaled_dot_product_attention(*torch.randn(3, 4, 3).unbind(0), dropout_p=1.0),
        ValueError,
        ["dropout_p", "1.0"],
    ),
    "sdpa-enteros": (
        lambda c: scaled_dot_product_attention(*torch.ones(3, 4, 3, dtype=torch.long).unbind(0)),
        ValueError,
        ["int64"],
    ),
    # Parches
    "unpatchify-canales": (
        lambda c: unpatchify(patchify(c.x[:2], 4), 4, channels=3),
        ValueError,
        ["channels=3", "usa channels=1"],
    ),
    "unpatchify-2d": (lambda c: unpatchify(torch.zeros(49, 16), 4), ValueError, ["(49, 16)"]),
    "unpatchify-numpy": (lambda c: unpatchify(np.zeros((1, 49, 16)), 4), InputTypeError, ["NumPy"]),
    "unpatchify-p0": (lambda c: unpatchify(torch.zeros(1, 49, 16), 0), ValueError, ["patch_size", "0"]),
    "unpatchify-no-cuadrado": (lambda c: unpatchify(torch.zeros(1, 12, 16), 4), ValueError, ["N=12"]),
    "patchify-numpy": (lambda c: patchify(c.x[:2].numpy(), 4), InputTypeError, ["torch.from_numpy"]),
    "patchify-p-true": (lambda c: patchify(c.x[:2], True), InputTypeError, ["patch_size", "True"]),
    "patchify-p-float": (lambda c: patchify(c.x[:2], 4.0), InputTypeError, ["patch_size=4"]),
    "patchify-sin-lote": (lambda c: patchify(c.x[0, 0], 4), ValueError, ["unsqueeze"]),
    "patch-embed-canales": (lambda c: PatchEmbedding()(c.x[:2].expand(2, 3, 28, 28)), ValueError, ["C=1"]),
    "patch-embed-uint8": (lambda c: PatchEmbedding()(c.u8[:2, None]), InputTypeError, ["uint8", "to_float"]),
    "patch-embed-enorme": (lambda c: PatchEmbedding(dim=2**40), ValueError, ["GiB"]),
    # Datos
    "subset-n-mayor": (lambda c: D.subset(c.u8, c.y, 200), ValueError, ["n=200", "64"]),
    "subset-n-true": (lambda c: D.subset(c.u8, c.y, True), InputTypeError, ["n", "True"]),
    "subset-n-decimal": (lambda c: D.subset(c.u8, c.y, 2.5), InputTypeError, ["2.5", "2 o 3"]),
    "subset-etiquetas-float": (lambda c: D.subset(c.u8, c.y.float(), 10), InputTypeError, ["float32", ".long()"]),
    "subset-longitudes": (lambda c: D.subset(c.u8, c.y[:10], 5), ValueError, ["64 imágenes", "10 etiquetas"]),
    "subset-seed-negativa": (lambda c: D.subset(c.u8, c.y, 10, seed=-1), ValueError, ["seed", "-1"]),
    "subset-imagenes-numpy": (lambda c: D.subset(c.u8.numpy(), c.y, 10), InputTypeError, ["NumPy"]),
    "subset-etiquetas-2d": (lambda c: D.subset(c.u8, F.one_hot(c.y, 10), 10), ValueError, ["argmax(1)"]),
    "load-root-int": (lambda c: D.load_fashion_mnist(root=5), InputTypeError, ["root", "5"]),
    "load-download-str": (lambda c: D.load_fashion_mnist(c.tmp, download="no"), InputTypeError, ["download", "'no'"]),
    "to-float-numpy": (lambda c: D.to_float(c.u8.numpy()), InputTypeError, ["NumPy", "torch.from_numpy"]),
    "to-float-ya-float": (lambda c: D.to_float(c.x), ValueError, ["uint8", "float32"]),
    # Entrenamiento
    "train-uint8": (lambda c: train(c, x=c.u8[:, None]), InputTypeError, ["train_images", "uint8", "to_float"]),
    "train-sin-canal": (lambda c: train(c, x=c.x[:, 0]), ValueError, ["train_images", "unsqueeze(1)"]),
    "train-0-255": (lambda c: train(c, x=c.u8[:, None].float()), ValueError, ["255", "to_float"]),
    "train-nan": (lambda c: train(c, x=c.x * math.nan), ValueError, ["NaN"]),
    "train-etiquetas-float": (lambda c: train(c, y=c.y.float()), InputTypeError, ["train_labels", ".long()"]),
    "train-etiqueta-10": (lambda c: train(c, y=label_with(10)(c)), ValueError, ["etiqueta 10", "posición 5", "0 a 9"]),
    "train-etiqueta-negativa": (lambda c: train(c, y=label_with(-1)(c)), ValueError, ["etiqueta -1"]),
    "train-one-hot": (lambda c: train(c, y=F.one_hot(c.y, 10)), ValueError, ["argmax(1)"]),
    "train-etiquetas-cortas": (lambda c: train(c, y=c.y[:10]), ValueError, ["64 imágenes", "10 etiquetas"]),
    "train-batch-true": (lambda c: train(c, batch_size=True), InputTypeError, ["batch_size", "True"]),
    "train-batch-grande": (lambda c: train(c, batch_size=65), ValueError, ["batch_size=65", "64"]),
    "train-epochs-decimal": (lambda c: train(c, epochs=2.5), InputTypeError, ["epochs", "2.5", "2 o 3"]),
    "train-epochs-0": (lambda c: train(c, epochs=0), ValueError, ["epochs", "positivos"]),
    "train-lr-str": (lambda c: train(c, lr="1e-3"), InputTypeError, ["'1e-3'", "lr=0.001"]),
    "train-lr-nan": (lambda c: train(c, lr=math.nan), ValueError, ["lr", "nan"]),
    "train-lr-0": (lambda c: train(c, lr=0), ValueError, ["lr", "positivos"]),
    "train-suavizado-1.5": (lambda c: train(c, label_smoothing=1.5), ValueError, ["label_smoothing", "1.5"]),
    "train-weight-decay": (lambda c: train(c, weight_decay=-1), ValueError, ["weight_decay", "-1"]),
    "train-augment-str": (lambda c: train(c, use_augment="no"), InputTypeError, ["use_augment", "'no'"]),
    "train-compile-str": (lambda c: train(c, compile="sí"), InputTypeError, ["compile", "'sí'"]),
    "train-device-int": (lambda c: train(c, device=5), InputTypeError, ["device", "5"]),
    "train-val-sin-etiquetas": (lambda c: train(c, xv=c.x), ValueError, ["val_images sin val_labels"]),
    "train-etiquetas-sin-val": (lambda c: train(c, yv=c.y), ValueError, ["val_labels sin val_images"]),
    "train-val-uint8": (lambda c: train(c, xv=c.u8[:, None], yv=c.y), InputTypeError, ["val_images", "to_float"]),
    "train-cnn-checkpoint": (
        lambda c: train(c, model=c.cnn, checkpoint_path=c.tmp / "cnn.pt"),
        InputTypeError,
        ["SmallCNN", "checkpoint_path", "torch.save"],
    ),
    "train-metadatos-lambda": (
        lambda c: train(c, checkpoint_path=c.tmp / "n.pt", checkpoint_metadata={"f": lambda: 1}),
        C.CheckpointError,
        ["metadata['f']", "función"],
    ),
    "train-checkpoint-carpeta": (
        lambda c: train(c, checkpoint_path=c.tmp),
        C.CheckpointSaveError,
        ["es una carpeta", "mi_vit.pt"],
    ),
    "train-modelo-clase": (lambda c: train(c, model=SmallCNN), InputTypeError, ["SmallCNN()"]),
    "evaluate-vacio": (lambda c: T.evaluate(c.vit, c.x[:0], c.y[:0]), ValueError, ["vacío"]),
    "evaluate-uint8": (lambda c: T.evaluate(c.vit, c.u8[:, None], c.y), InputTypeError, ["uint8", "to_float"]),
    "evaluate-longitudes": (lambda c: T.evaluate(c.vit, c.x, c.y[:3]), ValueError, ["64 imágenes", "3 etiquetas"]),
    "evaluate-etiqueta-10": (lambda c: T.evaluate(c.vit, c.x, label_with(10)(c)), ValueError, ["etiqueta 10"]),
    "predict-nan": (lambda c: T.predict(c.vit, c.x / 0.0), ValueError, ["NaN"]),
    "predict-batch-0": (lambda c: T.predict(c.vit, c.x, batch_size=0), ValueError, ["batch_size", "0"]),
    "get-device-tpu": (lambda c: T.get_device("tpu"), ValueError, ["'tpu'", "'cpu'"]),
    # Puntos de control: cargar
    "cargar-carpeta": (lambda c: C.load_checkpoint(c.tmp), C.CheckpointError, ["es una carpeta", "m.pt"]),
    "cargar-no-existe": (lambda c: C.load_checkpoint(c.tmp / "no.pt"), C.CheckpointNotFoundError, ["No existe"]),
    "cargar-gpu": (
        lambda c: C.load_checkpoint(c.ckpt, map_location="gpu"),
        C.CheckpointDeviceError,
        ["'gpu'", "'cuda'"],
    ),
    "cargar-tpu": (lambda c: C.load_checkpoint(c.ckpt, map_location="tpu"), C.CheckpointDeviceError, ["'tpu'"]),
    "cargar-cuda-7": (lambda c: C.load_checkpoint(c.ckpt, map_location="cuda:7"), C.CheckpointDeviceError, ["cuda:7"]),
    "cargar-map-int": (lambda c: C.load_checkpoint(c.ckpt, map_location=3), InputTypeError, ["map_location", "3"]),
    "cargar-ruta-int": (lambda c: C.load_checkpoint(123), InputTypeError, ["123"]),
    "cargar-config-cambiada": (
        lambda c: (tamper(c.ckpt, lambda p: p["config"].update(num_heads=1)), C.load_checkpoint(c.ckpt)),
        C.CheckpointError,
        ["dañado o fue modificado", "SHA-256", "configuración"],
    ),
    "cargar-metadatos-cambiados": (
        lambda c: (tamper(c.ckpt, lambda p: p["metadata"].update(nota="otra")), C.load_checkpoint(c.ckpt)),
        C.CheckpointError,
        ["SHA-256", "metadatos"],
    ),
    "cargar-pesos-cambiados": (
        lambda c: (tamper(c.ckpt, lambda p: p["state_dict"]["head.bias"].add_(1)), C.load_checkpoint(c.ckpt)),
        C.CheckpointError,
        ["SHA-256", "pesos"],
    ),
    "cargar-truncado": (
        lambda c: (c.ckpt.write_bytes(c.ckpt.read_bytes()[:3000]), C.load_checkpoint(c.ckpt)),
        C.CheckpointError,
        ["truncado", "m.pt"],
    ),
    "cargar-basura": (
        lambda c: (c.ckpt.write_bytes(b"esto no es un punto de control" * 9), C.load_checkpoint(c.ckpt)),
        C.CheckpointError,
        ["m.pt"],
    ),
    "cargar-otro-dict": (
        lambda c: (torch.save({"pesos": torch.zeros(2)}, c.ckpt), C.load_checkpoint(c.ckpt)),
        C.CheckpointError,
        ["no es un punto de control del curso"],
    ),
    "cargar-formato-futuro": (
        lambda c: (tamper(c.ckpt, lambda p: p.update(format_version=99)), C.load_checkpoint(c.ckpt)),
        C.CheckpointError,
        ["más nueva", "99", "git pull"],
    ),
    "cargar-pickle-malicioso": (
        lambda c: (tamper(c.ckpt, lambda p: p.update(metadata={"x": _Evil()})), C.load_checkpoint(c.ckpt)),
        C.CheckpointError,
        ["por seguridad", "weights_only=True"],
    ),
    "cargar-otro-modelo": (
        lambda c: C.load_checkpoint(c.ckpt, model=ViT(dim=16, depth=3, num_heads=2, mlp_dim=16)),
        C.CheckpointError,
        ["es de otro modelo", "depth: modelo=3, archivo=2"],
    ),
    "cargar-en-cnn": (lambda c: C.load_checkpoint(c.ckpt, model=c.cnn), C.CheckpointError, ["SmallCNN"]),
    "cargar-pesos-de-otra-forma": (
        lambda c: (
            tamper(c.ckpt, lambda p: (p["state_dict"].update(head_extra=torch.zeros(1)), resign(p))),
            C.load_checkpoint(c.ckpt),
        ),
        C.CheckpointError,
        ["sobran 1", "head_extra", "otro modelo"],
    ),
    "cargar-config-invalida": (
        lambda c: (tamper(c.ckpt, lambda p: (p["config"].update(num_heads=3), resign(p))), C.load_checkpoint(c.ckpt)),
        C.CheckpointError,
        ["no es válida", "dim=16", "num_heads=3"],
    ),
    # Puntos de control: guardar
    "guardar-solo-lectura": (
        lambda c: (
            c.mp.setattr(C.tempfile, "mkstemp", _permission_denied),
            C.save_checkpoint(c.ckpt, c.vit),
        ),
        C.CheckpointSaveError,
        ["m.pt", "permiso", "intacto"],
    ),
    "guardar-bajo-archivo": (
        lambda c: C.save_checkpoint(c.ckpt / "sub" / "n.pt", c.vit),
        C.CheckpointSaveError,
        ["es un archivo, no una carpeta"],
    ),
    "guardar-sobre-carpeta": (lambda c: C.save_checkpoint(c.tmp, c.vit), C.CheckpointSaveError, ["es una carpeta"]),
    "guardar-lambda": (
        lambda c: C.save_checkpoint(c.ckpt, c.vit, {"fn": lambda x: x}),
        C.CheckpointError,
        ["metadata['fn']", "función"],
    ),
    "guardar-tensor": (
        lambda c: C.save_checkpoint(c.ckpt, c.vit, {"acc": torch.tensor(0.9)}),
        C.CheckpointError,
        ["metadata['acc']", ".item()"],
    ),
    "guardar-clave-int": (
        lambda c: C.save_checkpoint(c.ckpt, c.vit, {1: "a"}),
        C.CheckpointError,
        ["clave 1", "str(1)"],
    ),
    "guardar-metadatos-lista": (lambda c: C.save_checkpoint(c.ckpt, c.vit, [1, 2]), C.CheckpointError, ["diccionario"]),
    "guardar-cnn": (lambda c: C.save_checkpoint(c.ckpt, c.cnn), C.CheckpointError, ["SmallCNN", "torch.save"]),
    "guardar-ruta-int": (lambda c: C.save_checkpoint(123, c.vit), InputTypeError, ["123"]),
    "guardar-disco-lleno": (
        lambda c: (c.mp.setattr(C.torch, "save", _disk_full), C.save_checkpoint(c.ckpt, c.vit)),
        C.CheckpointSaveError,
        ["disco está lleno", "intacto"],
    ),
    # Explain
    "rollout-none": (lambda c: E.attention_rollout([None]), InputTypeError, ["capa 0", "None"]),
    "rollout-capa-str": (lambda c: E.attention_rollout([c.maps[0], "capa"]), InputTypeError, ["capa 1", "'capa'"]),
    "cls-layer-str": (lambda c: E.cls_attention(c.maps, "1"), InputTypeError, ["layer", "'1'", "layer=1"]),
    "cls-layer-decimal": (lambda c: E.cls_attention(c.maps, 1.5), InputTypeError, ["layer", "1.5"]),
    "cls-layer-true": (lambda c: E.cls_rollout(c.maps, layer=True), InputTypeError, ["layer", "True"]),
    "cls-layer-tensor-fuera": (lambda c: E.cls_attention(c.maps, torch.tensor(5)), ValueError, ["layer=5"]),
    "cls-head-tensor-fuera": (lambda c: E.cls_attention(c.maps, 0, head=np.int64(7)), ValueError, ["head=7"]),
    "find-checkpoint-carpeta": (lambda c: E.find_checkpoint(c.tmp, c.tmp), FileNotFoundError, ["es una carpeta"]),
    "check-image-int64": (lambda c: E.check_image(c.u8[0].long(), c.vit.config), InputTypeError, ["int64", "uint8"]),
    "check-image-0-255": (lambda c: E.check_image(c.u8[0].float(), c.vit.config), ValueError, ["255", "to_float"]),
    "check-image-nan": (lambda c: E.check_image(c.x[0] * math.nan, c.vit.config), ValueError, ["NaN"]),
    "check-image-numpy": (lambda c: E.check_image(c.u8[0].numpy(), c.vit.config), InputTypeError, ["NumPy"]),
    # Explorer
    "render-label-nombre": (lambda c: render(c.vit, c.u8[0], label="bolso"), InputTypeError, ["'bolso'", "label=8"]),
    "render-label-desconocida": (lambda c: render(c.vit, c.u8[0], label="perro"), InputTypeError, ["'perro'"]),
    "render-label-10": (lambda c: render(c.vit, c.u8[0], label=torch.tensor(10)), ValueError, ["label=10"]),
    "render-0-255": (lambda c: render(c.vit, c.u8[0].float()), ValueError, ["255"]),
    "render-int64": (lambda c: render(c.vit, c.u8[0].long()), InputTypeError, ["int64"]),
    "render-layer-str": (lambda c: render(c.vit, c.u8[0], layer="última"), InputTypeError, ["'última'"]),
    "render-cnn": (lambda c: render(c.cnn, c.u8[0]), InputTypeError, ["SmallCNN"]),
}


class _Evil:
    def __reduce__(self):
        return (print, ("¡código ejecutado!",))


def _permission_denied(*a, **k):
    raise PermissionError(13, "Permission denied")


def _disk_full(obj, f, *a, **k):
    open(f, "wb").write(b"medio archivo")
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_gets_a_spanish_error(name, c):
    call, exc_type, needles = BAD[name]
    c.mp.setattr(torch.optim.AdamW, "step", no_step)  # ningún error puede esperar a después del primer paso
    before = c.ckpt.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(exc_type) as info:
            call(c)
    assert_spanish(str(info.value), *needles)
    if name.startswith("guardar-"):
        assert c.ckpt.read_bytes() == before  # el archivo antiguo, intacto
        assert not list(c.tmp.glob(".*.tmp"))  # y sin temporales olvidados


def test_there_are_at_least_100_cases():
    assert len(BAD) + len(GOOD) >= 100


# --- Casos especiales de entrada mala -----------------------------------------------------------


def test_missing_device_does_not_say_damaged(c):
    if torch.cuda.is_available():
        pytest.skip("hay GPU")
    for where in ("cuda", "gpu", torch.device("cuda")):
        with pytest.raises(C.CheckpointDeviceError) as info:
            C.load_checkpoint(c.ckpt, map_location=where)
        msg = str(info.value)
        assert_spanish(msg, "no tiene nada malo")
        assert "dañado" not in msg and "descarga" not in msg


def test_env_var_empty_folder_is_an_error_not_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv(D.ENV_DIR, str(tmp_path))
    with pytest.raises(D.DatasetError) as info:
        D.load_fashion_mnist(download=False)
    assert_spanish(str(info.value), D.ENV_DIR, str(tmp_path), "t10k-labels-idx1-ubyte")


def test_env_var_incomplete_folder_names_the_missing_file(tmp_path, monkeypatch):
    for f in D.DEBIAN_DIR.glob("*.gz"):
        if not f.name.startswith("t10k-labels"):
            shutil.copy(f, tmp_path / f.name)
    monkeypatch.setenv(D.ENV_DIR, str(tmp_path))
    with pytest.raises(D.DatasetError) as info:
        D.load_fashion_mnist(download=False)
    msg = str(info.value)
    assert_spanish(msg, "t10k-labels-idx1-ubyte")
    assert "train-images" not in msg


def test_env_var_missing_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(D.ENV_DIR, str(tmp_path / "no-existe"))
    with pytest.raises(D.DatasetError) as info:
        D.load_fashion_mnist(download=False)
    assert_spanish(str(info.value), "no existe", "no-existe")


# --- Casos de entrada válida: el resultado correcto ----------------------------------------------


def _per_image_mask(c):
    torch.manual_seed(0)
    mha = MultiHeadAttention(16, 2).eval()  # B == num_heads == 2: la máscara (B, N, N) es por imagen
    x = torch.randn(2, 5, 16)
    mask = torch.rand(2, 5, 5) > 0.4
    mask |= torch.eye(5, dtype=torch.bool)
    one_by_one = torch.cat([mha(x[i : i + 1], mask=mask[i]) for i in range(2)])
    torch.testing.assert_close(mha(x, mask=mask), one_by_one, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(mha(x, mask=mask, return_weights=True)[0], one_by_one, atol=1e-5, rtol=1e-5)


def _per_head_mask(c):
    torch.manual_seed(1)
    mha = MultiHeadAttention(16, 2).eval()
    x = torch.randn(2, 5, 16)
    mask = (torch.rand(1, 2, 5, 5) > 0.4) | torch.eye(5, dtype=torch.bool)
    fused, (manual, w) = mha(x, mask=mask), mha(x, mask=mask, return_weights=True)
    torch.testing.assert_close(fused, manual, atol=1e-5, rtol=1e-5)
    assert torch.all(w.masked_select(~mask.expand_as(w)) == 0)


def _subset_unbalanced_returns_n(c):
    labels = torch.cat([torch.zeros(90, dtype=torch.long), torch.ones(10, dtype=torch.long)])
    images = c.u8[:1].expand(100, 28, 28)
    with pytest.warns(UserWarning, match="no quedan equilibradas"):
        _, y = D.subset(images, labels, 100)
    assert len(y) == 100 and torch.equal(torch.bincount(y), torch.tensor([90, 10]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, y = D.subset(images, labels, 20)  # 10 + 10: cabe equilibrado, sin aviso
    assert torch.equal(torch.bincount(y), torch.tensor([10, 10]))


def _mps_warns_and_can_be_disabled(c, capsys):
    if torch.cuda.is_available():
        pytest.skip("hay GPU: auto elige CUDA")
    c.mp.setattr(torch.backends.mps, "is_available", lambda: True)
    assert T.get_device("auto") == torch.device("mps")
    assert_spanish(capsys.readouterr().out, "MPS", "pérdidas erróneas", "allow_mps=False")
    assert T.get_device("auto", allow_mps=False) == torch.device("cpu")
    assert capsys.readouterr().out == ""


def _ctrl_c_without_checkpoint_tells_the_truth(c, capsys):
    def ctrl_c(*a, **k):
        raise KeyboardInterrupt

    c.mp.setattr(torch.optim.AdamW, "step", ctrl_c)
    hist = train(c, model=SmallCNN(channels=(4, 8)))
    out = capsys.readouterr().out
    assert hist.interrupted and "checkpoint_path=None" in out and "primera época" not in out


def _load_np_float_metadata(c):
    C.save_checkpoint(c.ckpt, c.vit, {"acc": np.float64(0.5), "epocas": np.int64(3), "receta": (1, 2)})
    _, meta = C.load_checkpoint(c.ckpt)
    assert meta == {"acc": 0.5, "epocas": 3, "receta": [1, 2]} and type(meta["acc"]) is float


def _stale_tmp_is_cleaned(c):
    stale = c.tmp / ".m.pt.zz9k_abc.tmp"
    stale.write_bytes(b"guardado interrumpido")
    os.utime(stale, (0, 0))
    C.save_checkpoint(c.ckpt, c.vit)
    assert not stale.exists()


def _shipped_still_loads_and_metadata_is_verified(c):
    model, meta = C.load_checkpoint(C.Path(__file__).resolve().parents[1] / "checkpoints" / "vit_fashion_mnist.pt")
    assert model.config == CHECKPOINT_CONFIG and meta["test_accuracy"] >= 0.93
    _, acc = T.evaluate(model, c.x, c.y)
    assert acc >= 0.85  # 64 imágenes de prueba reales


def _auto_map_location(c):
    model, _ = C.load_checkpoint(c.ckpt, map_location="auto")
    assert next(model.parameters()).device.type == T.get_device("auto", allow_mps=False).type


def _close_rejects_nan(c):
    ok, why = core.close(torch.tensor([math.nan, 1.0]), torch.tensor([1.0, 1.0]))
    assert not ok
    assert_spanish(why, "NaN")


def _close_rejects_bool(c):
    ok, why = core.close(torch.tensor([True]), torch.tensor([1.0]))
    assert not ok
    assert_spanish(why, "bool")


def _close_wrong_shape(c):
    ok, why = core.close(torch.zeros(2, 3), torch.zeros(3, 2))
    assert not ok
    assert_spanish(why, "(2, 3)", "(3, 2)")


def _call_student_none(c):
    result, why = core.call_student(None)
    assert result is None
    assert_spanish(why, "sin paréntesis")


def _call_student_not_implemented(c):
    def todo():
        raise NotImplementedError

    result, why = core.call_student(todo)
    assert result is None
    assert_spanish(why, "NotImplementedError")


GOOD = {
    "config-np-int64": lambda c: (
        (cfg := ViTConfig(dim=np.int64(32), num_heads=torch.tensor(2)))
        and type(cfg.dim) is int
        and type(cfg.num_heads) is int
        and cfg.to_dict()["dim"] == 32
    ),
    "vit-float32-normalizado": lambda c: c.vit(c.x[:4]).shape == (4, 10),
    "mascara-por-imagen-B-igual-H": _per_image_mask,
    "mascara-por-cabeza": _per_head_mask,
    "unpatchify-3-canales": lambda c: torch.equal(
        unpatchify(patchify(x := torch.randn(2, 3, 8, 8), 2), 2, channels=3), x
    ),
    "subset-desequilibrado-da-n": _subset_unbalanced_returns_n,
    "subset-n-np-int64": lambda c: len(D.subset(c.u8, c.y, np.int64(10))[1]) == 10,
    "train-etiquetas-int32": lambda c: (
        train(c, model=SmallCNN(channels=(4, 8)), y=c.y.int(), epochs=1, use_augment=False).epoch == [1]
    ),
    "evaluate-etiquetas-uint8": lambda c: 0.0 <= T.evaluate(c.vit, c.x, c.y.to(torch.uint8))[1] <= 1.0,
    "get-device-mps": _mps_warns_and_can_be_disabled,
    "ctrl-c-sin-checkpoint": _ctrl_c_without_checkpoint_tells_the_truth,
    "guardar-np-float": _load_np_float_metadata,
    "guardar-limpia-temporal": _stale_tmp_is_cleaned,
    "cargar-auto": _auto_map_location,
    "punto-de-control-del-curso": _shipped_still_loads_and_metadata_is_verified,
    "cls-layer-np-int64": lambda c: torch.equal(E.cls_attention(c.maps, np.int64(1)), E.cls_attention(c.maps, 1)),
    "cls-layer-tensor": lambda c: torch.equal(E.cls_attention(c.maps, torch.tensor(1)), E.cls_attention(c.maps, 1)),
    "cls-head-np-int64": lambda c: torch.equal(
        E.cls_attention(c.maps, 0, head=np.int64(1)), E.cls_attention(c.maps, 0, head=1)
    ),
    "check-image-float64": lambda c: E.check_image(c.x[0].double(), c.vit.config).dtype == torch.float32,
    "check-image-uint8-igual-que-to-float": lambda c: torch.equal(
        E.check_image(c.u8[0], c.vit.config), D.to_float(c.u8[:1])
    ),
    "render-label-np-int64": lambda c: render(c.vit, c.u8[0], label=np.int64(3), layer=np.int64(0)) is not None,
    "core-close-nan": _close_rejects_nan,
    "core-close-bool": _close_rejects_bool,
    "core-close-forma": _close_wrong_shape,
    "core-call-student-none": _call_student_none,
    "core-call-student-pendiente": _call_student_not_implemented,
    "core-scalar-bool": lambda c: core.scalar(True) is None and core.scalar(np.float32(2.5)) == 2.5,
    "core-as-int-196.0": lambda c: core.as_int(196.0) == 196 and core.as_int(196.5) is None,
    "core-as-float-nan": lambda c: core.as_float(math.nan) is None and core.as_float(torch.tensor(0.5)) == 0.5,
    "core-as-shape-negativa": lambda c: core.as_shape([2, -1]) is None and core.as_shape(torch.Size([2, 3])) == (2, 3),
}


@pytest.mark.parametrize("name", list(GOOD))
def test_valid_input_gives_the_right_result(name, c, capsys):
    import inspect

    check = GOOD[name]
    args = (c, capsys) if "capsys" in inspect.signature(check).parameters else (c,)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning) if name != "subset-desequilibrado-da-n" else None
        result = check(*args)
    assert result is None or result is True
    import matplotlib.pyplot as plt

    plt.close("all")
