"""benchmarks/speedrun.py, the harness that tuned appendix A's speedrun, against the recipe the
appendix defines (helpers.from_chapters): the same model and the same settings."""

import inspect

from helpers.from_chapters import build_mnist_cnn, build_speedrun_cnn, train_speedrun

import keras
import numpy as np
import pytest

from benchmarks import speedrun


def _layout(model):
    return [(type(lay).__name__, lay.output.shape[1:], lay.count_params()) for lay in model.layers]


def test_the_appendix_model_is_the_tuned_one():
    tuned = speedrun.build_model(speedrun.SPEEDRUN)
    assert _layout(build_speedrun_cnn()) == _layout(tuned)
    assert speedrun.forward_macs(build_speedrun_cnn()) == 984_960


def test_the_appendix_training_uses_the_tuned_settings():
    defaults = {
        name: p.default
        for name, p in inspect.signature(train_speedrun).parameters.items()
        if p.default is not inspect.Parameter.empty and name != "callbacks"
    }
    names = {"peak": "lr"}  # the appendix's name -> the recipe's key
    assert {names.get(k, k): v for k, v in defaults.items()} == {
        key: speedrun.SPEEDRUN[key] for key in [names.get(k, k) for k in defaults]
    }
    assert speedrun.SPEEDRUN["schedule"] == "onecycle" and speedrun.SPEEDRUN["feed"] == "tensor"


def test_the_chapter1_recipe_is_chapter_1s_model():
    assert _layout(speedrun.build_model(speedrun.CHAPTER1)) == _layout(build_mnist_cnn())


def test_a_recipe_change_must_name_a_known_key():
    assert speedrun.with_changes(speedrun.SPEEDRUN, ["batch=64"])["batch"] == 64
    with pytest.raises(KeyError, match="'bogus' is not a recipe key"):
        speedrun.with_changes(speedrun.SPEEDRUN, ["bogus=1"])


def test_the_speedrun_trains_the_steps_its_schedule_is_built_for():
    keras.utils.set_random_seed(0)
    x = np.random.rand(512, 28, 28, 1).astype("float32")
    y = np.arange(512) % 10
    model = train_speedrun(x, y, seed=0, epochs=1.5, batch=64, steps_per_execution=4)
    assert int(model.optimizer.iterations) == round(1.5 * (512 // 64))  # 12 steps
