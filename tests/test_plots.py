import matplotlib

matplotlib.use("Agg")

import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from utils import fmt, plots  # noqa: E402
from utils.train import History  # noqa: E402


def test_show_images_marks_wrong_predictions(fashion):
    imgs, labels = fashion.test_images[:4], fashion.test_labels[:4]
    preds = labels.clone()
    preds[1] = (preds[1] + 1) % 10
    fig = plots.show_images(imgs, labels, preds, ncols=4, title="Ejemplos")
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert fashion.classes[int(labels[0])] in titles[0]
    assert fig.axes[1].title.get_color() == "crimson" and fig.axes[0].title.get_color() == "black"


def test_patch_grid_numbers_every_patch(fashion):
    fig = plots.plot_patch_grid(fashion.test_images[0], 7)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == [str(i) for i in range(16)]
    assert fig.axes[0].get_title() == "Parches de 7×7"


def test_history_and_confusion_matrix_are_in_spanish():
    h = History(epoch=[1, 2], train_loss=[1.0, 0.5], train_acc=[0.6, 0.8], val_loss=[0.9, 0.6], val_acc=[0.7, 0.8])
    fig = plots.plot_history(h)
    assert fig.axes[0].get_xlabel() == "época" and "exactitud" in fig.axes[1].get_ylabel()
    labels = torch.tensor([0, 0, 1, 2, 2, 2])
    preds = torch.tensor([0, 1, 1, 2, 0, 2])
    cm = plots.confusion_matrix(labels, preds, num_classes=3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    fig = plots.plot_confusion_matrix(cm, ["a", "b", "c"])
    assert fig.axes[0].get_xlabel() == "clase predicha"


def test_overlay_attention_upsamples_to_image(fashion):
    fig = plots.overlay_attention(fashion.test_images[0], torch.rand(7, 7), title="Capa 1")
    layers = fig.axes[0].get_images()
    assert len(layers) == 2 and layers[1].get_array().shape == (28, 28)


def test_notebook_05_figures_are_in_spanish_with_decimal_comma():
    h = History(epoch=[1, 2], train_loss=[1.0, 0.7], train_acc=[0.6, 0.8], val_loss=[0.6, 0.4], val_acc=[0.7, 0.85],
                seconds=[10.0, 10.0])  # fmt: skip
    fig = plots.plot_training_curves(h, label_smoothing=0.1)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "Entrenamiento (suavizado 0,1)" and titles[1] == "Validación (sin suavizado)"
    assert "0,50" in fig.axes[0].get_legend().get_texts()[0].get_text()  # el mínimo con suavizado 0,1
    cm = torch.tensor([[8, 2], [1, 9]])
    fig = plots.plot_confusion_rates(cm, ["a", "b"])
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["10", "20", "80", "90"]  # % de cada fila
    fig = plots.plot_accuracy_vs_time([("ViT", h)])
    assert fig.axes[0].get_ylabel() == "exactitud de validación (%)"


def test_comma_writes_numbers_as_in_spanish():
    assert plots.comma(0.5) == "0,5" and plots.comma(-2) == "−2" and plots.comma(10) == "10"
    assert plots.comma(0.1, 2) == "0,10" and plots.comma(2.302585, 1) == "2,3" and plots.comma(-0.25, 0) == "−0"
    assert plots.comma(0.30000000000000004) == "0,3"
    assert plots.comma is fmt.comma  # una sola definición, la de utils.fmt


def test_percent_and_thousands_as_in_spanish():
    assert fmt.comma(0.123, 2, sign=True) == "+0,12" and fmt.comma(-0.5, 1, sign=True) == "−0,5"
    assert fmt.comma(torch.tensor(0.25), 2) == "0,25"  # un tensor 0-D, como los que imprimen los cuadernos
    assert fmt.percent(0.8985) == "89,85 %" and fmt.percent(0.5, 0) == "50 %" and fmt.percent(1) == "100,00 %"
    assert fmt.thousands(60000) == "60 000" and fmt.thousands(1652.6) == "1 653" and fmt.thousands(999) == "999"
    assert fmt.thousands(-1234567) == "−1 234 567"


def test_comma_axis_changes_default_ticks_only():
    import matplotlib.pyplot as plt

    fig, (ax0, ax1) = plt.subplots(1, 2)
    ax0.plot([-0.5, 0.0, 0.5], [0.0, 0.25, 0.5])
    ax1.plot([1, 10, 100], [1, 2, 3])
    ax1.set_xscale("log")
    ax1.set_yticks([1, 2, 3], ["uno", "dos", "tres"])
    plots.comma_axis(ax0, ax1)
    fig.canvas.draw()
    x0 = [t.get_text() for t in ax0.get_xticklabels()]
    y0 = [t.get_text() for t in ax0.get_yticklabels()]
    assert "−0,25" in x0 and "0,5" in x0 and "0,4" in y0, (x0, y0)
    assert not any("." in t or "-" in t for t in x0 + y0)
    assert [t.get_text() for t in ax1.get_yticklabels()] == ["uno", "dos", "tres"]  # texto puesto a mano
    assert type(ax1.xaxis.get_major_formatter()).__name__ == "LogFormatterSciNotation"  # eje logarítmico
    plt.close(fig)


def test_scaling_plot_separates_live_points_and_measures_the_gap():
    def pt(model, n, mean, std, live=False):
        return {"modelo": model, "imagenes": n, "media": mean, "desviacion": std, "en_vivo": live}

    points = [pt("vit", 1000, 0.75, 0.01), pt("cnn", 1000, 0.80, 0.02), pt("vit", 10000, 0.85, 0.0)]
    points += [pt("cnn", 10000, 0.86, 0.0), pt("vit", 1000, 0.70, 0.0, live=True), pt("cnn", 3000, 0.9, 0.0)]
    gap = plots.scaling_gap(points)
    assert list(gap) == [1000, 10000]  # 3000 solo tiene la CNN; el punto en vivo no cuenta
    assert abs(gap[1000][0] - 5.0) < 1e-9 and abs(gap[1000][1] - 100 * (0.01**2 + 0.02**2) ** 0.5) < 1e-9
    assert abs(gap[10000][0] - 1.0) < 1e-9
    fig = plots.plot_scaling(points, "prueba")
    left, right = fig.axes
    assert [t.get_text() for t in left.get_xticklabels()] == ["1 000", "3 000", "10 000"]
    assert right.get_ylabel() == "CNN − ViT (puntos porcentuales)"
    only_live = plots.plot_scaling([pt("vit", 1000, 0.7, 0.0, live=True)], "solo en vivo")
    assert len(only_live.axes) == 1  # sin archivo, no hay panel de ventaja


def test_sincos_colorbars_have_short_spanish_ticks():
    import matplotlib.pyplot as plt

    from utils.vit_variants import sincos_pos_embed_2d

    fig = plots.plot_sincos(sincos_pos_embed_2d(7, 64), 7)
    fig.canvas.draw()
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    labels = [t.get_text() for ax in bars for t in ax.get_yticklabels() if t.get_text()]
    assert len(bars) == 2 and labels
    assert all("." not in s and len(s.split(",")[-1]) <= 3 for s in labels), labels  # «0,975», no «0,97500000»
    plt.close(fig)


def _tick_texts(fig):
    fig.canvas.draw()
    return [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]


def test_attention_figures_write_ticks_with_a_decimal_comma():
    import matplotlib.pyplot as plt

    from utils.explain import attention_statistics, garment_patches, mirror_similarity, position_embedding_similarity
    from utils.vit import ViT

    torch.manual_seed(0)
    model = ViT(dim=16, depth=2, num_heads=2, mlp_dim=16).eval()
    images = (torch.rand(4, 28, 28) * 255).to(torch.uint8)  # como las de load_fashion_mnist
    x = images.float().unsqueeze(1) / 255
    garment = garment_patches(images, 4)
    stats = {"entrenado": attention_statistics(model, x, garment)}
    similarity = position_embedding_similarity(model.pos_embed)
    maps = {"a": torch.rand(4, 7, 7), "b": torch.rand(4, 7, 7)}
    figures = [
        plots.plot_attention_controls(stats),
        plots.plot_maps_one_scale(images, maps),
        plots.plot_mirror_similarity({"entrenado": mirror_similarity(similarity)}),
        plots.plot_position_similarity(similarity),
    ]
    for fig in figures:
        texts = _tick_texts(fig)
        assert texts and not [s for s in texts if "." in s], texts  # «0,5», nunca «0.5»
        plt.close(fig)
