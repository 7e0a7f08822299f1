"""Helpers for the book *Convolutional Neural Networks in TensorFlow*.

One module per concern: ``data`` (dataset loaders), ``runtime`` (full or test mode, seeds,
GPU and mixed precision), ``training`` (a one-line-per-epoch log), ``experiments`` (training
runs compared side by side, BatchNormalization statistics), ``page`` (the page's width and
the figure style that fits it), ``plots`` (pictures of data and training results),
``arithmetic`` (convolution arithmetic), ``geometry`` (drawings of one convolution),
``explorer`` (the ipywidgets explorer), ``interpret`` (activations and
class-evidence maps), ``sanity`` (rank correlation, model randomisation, filter patterns),
``map_explorer`` (a widget of those maps), ``graphs`` (model diagrams), ``errors`` (the error a
reader meets, in one line), ``floats`` (float32 comparisons with a justified tolerance),
``timing`` (the median time of a step, after warm-up calls), ``tables`` (rows as a Markdown
table), ``cpu_paths`` (TensorFlow's two CPU code paths) and ``distributed.worker`` (appendix
B's multi-worker training program). ``_checks`` holds the shared rules for arguments
(integers, numbers) that every module applies, ``_plot_inputs`` the checks of ``plots``'
data. The chapters import what they need, e.g.

>>> from helpers.data import load_mnist
>>> from helpers.runtime import pick, set_seed
"""

import os

# TensorFlow's C++ side prints start-up banners (CPU features, oneDNN) and, in TF 2.20/2.21, a
# harmless tf.data "E ... use_unbounded_threadpool" line on every fit(); a notebook would show
# them all as output. Silence the C++ log unless the reader chose a level. Python exceptions
# and warnings are unaffected. It works because every chapter imports helpers before TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
