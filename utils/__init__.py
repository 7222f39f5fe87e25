"""Módulo compartido del curso «ViT desde cero».

Cada submódulo guarda una idea: ``data`` (Fashion-MNIST), ``patches``, ``attention``, ``vit``,
``train``, ``plots``, ``checkpoints``, ``explain`` (qué mira el modelo), ``exercises``
(correctores de los ejercicios) y ``course`` (la dirección del repositorio y la lista de cuadernos).
"""

__version__ = "0.1.0"
