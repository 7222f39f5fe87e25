"""Tests del explorador interactivo (utils.explorer) y de las figuras del cuaderno 06."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from utils import explain as E  # noqa: E402
from utils import plots  # noqa: E402
from utils.explorer import Explorer, explore, render  # noqa: E402
from utils.vit import ViT, ViTConfig  # noqa: E402

TINY = ViTConfig(img_size=28, patch_size=7, dim=16, depth=3, num_heads=2, mlp_dim=32)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return ViT(config=TINY).eval()


@pytest.fixture(scope="module")
def image():
    g = torch.Generator().manual_seed(1)
    return torch.randint(0, 256, (28, 28), generator=g, dtype=torch.uint8)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("mode", ["raw", "rollout"])
def test_render_every_layer_and_head(model, image, mode):
    for layer in range(TINY.depth):
        for head in [*range(TINY.num_heads), None, "media"]:
            fig = render(model, image, 3, layer, head, mode, 0.5)
            assert isinstance(fig, matplotlib.figure.Figure)
            assert len(fig.axes) == 3
            title = fig.axes[1].get_title()
            assert f"capa {layer}" in title if mode == "raw" else f"0 a {layer}" in title
            assert "clase verdadera: vestido" in fig._suptitle.get_text()
            plt.close(fig)


def test_render_accepts_float_images_and_no_label(model, image):
    from utils.data import to_float

    x = to_float(image[None])[0]  # (1, 28, 28) normalizada
    fig = render(model, x, None, -1, None, "raw", 1.0)
    assert "predicción" in fig._suptitle.get_text() and "verdadera" not in fig._suptitle.get_text()


def test_render_does_not_change_training_mode(model, image):
    model.train()
    render(model, image, 0, 0, 0, "raw", 0.5)
    assert model.training
    model.eval()


def test_render_errors(model, image):
    with pytest.raises(ValueError, match=r"layer=3 fuera de rango: el modelo tiene 3 capas \(0 a 2"):
        render(model, image, 0, 3, None, "raw", 0.5)
    with pytest.raises(ValueError, match=r"head=2 fuera de rango.*\(0 a 1\)"):
        render(model, image, 0, 0, 2, "raw", 0.5)
    with pytest.raises(ValueError, match="mode='cruda' no existe"):
        render(model, image, 0, 0, None, "cruda", 0.5)
    with pytest.raises(ValueError, match="alpha=1.5 fuera de rango"):
        render(model, image, 0, 0, None, "raw", 1.5)
    with pytest.raises(ValueError, match="label=10 fuera de rango"):
        render(model, image, 10, 0, None, "raw", 0.5)
    with pytest.raises(ValueError, match=r"forma \(32, 32\).*28×28"):
        render(model, torch.zeros(32, 32, dtype=torch.uint8), 0, 0, None, "raw", 0.5)


def test_explorer_opacity_is_a_percentage(model, image, monkeypatch):
    """El deslizador muestra 60 (sin decimales con punto) y la figura recibe 0,6."""
    import utils.explorer as X

    seen = []
    real = X.render
    monkeypatch.setattr(X, "render", lambda *args: seen.append(args[6]) or real(*args))
    ex = explore(model, image[None].repeat(2, 1, 1), torch.tensor([0, 1]), alpha=0.35)
    assert ex.alpha.value == 35 and seen == [0.35]
    ex.alpha.value = 80
    assert seen[-1] == 0.8 and ex.renders == 2


def test_explorer_controls_update_the_figure(model):
    g = torch.Generator().manual_seed(2)
    images = torch.randint(0, 256, (12, 28, 28), generator=g, dtype=torch.uint8)
    labels = torch.arange(12) % 3
    predictions = torch.zeros(12, dtype=torch.long)  # acierta solo en la clase 0
    ex = explore(model, images, labels, predictions)
    assert isinstance(ex, Explorer)
    assert ex.renders == 1 and ex.current() == 0
    ex.layer.value = 0
    ex.head.value = 1
    ex.mode.value = "rollout"
    assert ex.head.disabled
    ex.alpha.value = 20  # en tanto por ciento
    assert ex.renders == 5
    ex.class_choice.value = 2  # imágenes 2, 5, 8, 11
    assert ex.index.max == 3 and ex.current() == 2
    ex.index.value = 3
    assert ex.current() == 11
    ex.class_choice.value = -1
    ex.only_errors.value = True  # las de clase 1 y 2
    assert ex.index.max == 7 and ex.current() == 1
    ex.class_choice.value = 0  # ningún error en la clase 0
    assert ex.current() is None and "No hay imágenes" in ex.info.value


def test_explorer_errors(model):
    images = torch.zeros(4, 28, 28, dtype=torch.uint8)
    with pytest.raises(ValueError, match="4 imágenes y 3 etiquetas"):
        explore(model, images, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="28×28"):
        explore(model, torch.zeros(4, 20, 20, dtype=torch.uint8), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="2 predicciones"):
        explore(model, images, torch.zeros(4, dtype=torch.long), torch.zeros(2, dtype=torch.long))


# --- Figuras del cuaderno 06 ------------------------------------------------------------------


def test_notebook_06_figures(model, image):
    x = E.check_image(image, TINY)
    maps = model.attention_maps(x)
    fig = plots.plot_attention_heads(image, maps, label=1, prediction=2)
    assert len(fig.axes) == TINY.depth * (TINY.num_heads + 1)
    assert "clase verdadera: pantalón" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="una sola imagen"):
        plots.plot_attention_heads(image, [m.expand(2, -1, -1, -1) for m in maps])

    batch = torch.stack([image, image])
    xb = torch.cat([x, x])
    maps = model.attention_maps(xb)
    fig = plots.plot_rollout_comparison(batch, E.cls_attention(maps, -1), E.cls_rollout(maps), [0, 1], [0, 2])
    assert len(fig.axes) == 6
    with pytest.raises(ValueError, match="deben ser los mismos"):
        plots.plot_rollout_comparison(batch, E.cls_attention(maps, -1)[:1], E.cls_rollout(maps))

    sim = E.position_embedding_similarity(model.pos_embed)
    fig = plots.plot_position_similarity(sim)
    assert len(fig.axes) == 16 + 1  # 4×4 mapas y la barra de color
    with pytest.raises(ValueError, match=r"\(g, g, g, g\)"):
        plots.plot_position_similarity(sim.reshape(16, 16))

    comps, explained = E.patch_embedding_pca(model.patch_embed.proj.weight, k=10, explained=True)
    fig = plots.plot_patch_embedding_pca(comps, explained)
    assert fig.axes[0].get_title().startswith("CP1")

    dist = E.mean_attention_distance(maps, 4, 7)
    fig = plots.plot_attention_distance(dist, reference=10.0)
    assert fig.axes[0].get_xlabel() == "capa (profundidad)"


# --- El fallo del explorador en JupyterLab (issue 14) -----------------------------------------


def _explorer_with_errors(model):
    g = torch.Generator().manual_seed(3)
    images = torch.randint(0, 256, (12, 28, 28), generator=g, dtype=torch.uint8)
    labels = torch.arange(12) % 3
    predictions = torch.zeros(12, dtype=torch.long)  # falla en las clases 1 y 2
    return explore(model, images, labels, predictions)


def test_refilter_sends_value_and_max_in_one_message(model, monkeypatch):
    ex = _explorer_with_errors(model)
    ex.index.value = 11  # la última imagen
    sent = []
    monkeypatch.setattr(ex.index, "send_state", lambda key=None: sent.append(set(key or [])))
    ex.class_choice.value = 2  # 4 imágenes: el número 11 ya no existe
    assert ex.index.value == 0 and ex.index.max == 3 and ex.current() == 2
    assert len(sent) == 1 and {"value", "max"} <= sent[0], sent  # un solo mensaje al navegador


def test_refilter_goes_to_the_first_image_when_the_browser_echoes(model):
    ex = _explorer_with_errors(model)
    ex.index.value = 11
    before = ex.renders
    ex.only_errors.value = True
    assert ex.index.value == 0 and ex.current() == 1
    assert ex.renders == before + 1  # una sola figura por cambio de selección


def test_redraw_never_draws_from_two_threads_at_once(model, monkeypatch):
    import threading
    import time

    import utils.explorer as X

    ex = _explorer_with_errors(model)
    active, peak = [0], [0]
    real_render = X.render

    def slow_render(*args, **kwargs):
        active[0] += 1
        peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        try:
            return real_render(*args, **kwargs)
        finally:
            active[0] -= 1

    monkeypatch.setattr(X, "render", slow_render)
    threads = [threading.Thread(target=ex.redraw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 1 and ex.renders == 1 + 4


def test_render_has_a_colour_legend(model, image):
    fig = render(model, image, 3, -1, None, "raw", 0.5)
    texts = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    assert texts == ["clase verdadera", "otra clase"]


def test_notebook_06_control_figures(model, image):
    from utils.data import to_float

    images = torch.stack([image, image.flip(-1)])
    mask = E.garment_patches(images, TINY.patch_size)
    stats = {
        "entrenado": E.attention_statistics(model, to_float(images), mask),
        "sin entrenar": E.attention_statistics(E.untrained_like(model), to_float(images), mask),
        "uniforme": E.uniform_statistics(TINY, mask),
    }
    fig = plots.plot_attention_controls(stats)
    assert len(fig.axes) == 3 and fig.axes[0].get_legend() is not None

    maps = {"clase predicha": torch.rand(2, 4, 4), "segunda clase": torch.rand(2, 4, 4)}
    fig = plots.plot_maps_one_scale(images, maps, titles=["a", "b"])
    assert len(fig.axes) == 3 * 2 + 1  # imagen y dos mapas por columna, más una sola barra de color
    limits = {im.get_clim() for ax in fig.axes[2:6] for im in ax.get_images()[1:]}
    assert len(limits) == 1  # todos los mapas en la misma escala

    fig = plots.plot_deletion_curves([0, 8, 16], {"rollout": [1.0, 0.5, 0.1], "azar": [1.0, 0.8, 0.1]}, 16)
    assert "área" in fig.axes[0].get_legend().get_texts()[0].get_text()

    mirrors = {"entrenado": E.mirror_similarity(E.position_embedding_similarity(model.pos_embed))}
    fig = plots.plot_mirror_similarity(mirrors)
    assert len(fig.axes[0].patches) == 4
