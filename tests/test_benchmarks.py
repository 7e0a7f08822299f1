"""benchmarks/: the ratio arithmetic, the chapters' code it runs, its arguments, its results."""

import json
from pathlib import Path

from helpers.from_chapters import build_mnist_cnn

import nbformat
import numpy as np
import pytest

from benchmarks import results as results_file
from benchmarks import workloads
from benchmarks.__main__ import DEFAULT_SUITES, alternating_paths, child, main, paired_ratio

ROOT = Path(__file__).resolve().parent.parent


def test_paired_ratio_divides_within_each_round():
    # the ratio of the medians would be 4 / 2 = 2; the pairs are 1, 4 and 0.5
    ratio = paired_ratio([1.0, 4.0, 9.0], [1.0, 1.0, 18.0])
    assert {k: ratio[k] for k in ("median", "low", "high", "pairs")} == {
        "median": 1.0,
        "low": 0.5,
        "high": 4.0,
        "pairs": 3,
    }
    low, high = ratio["median_interval"]
    assert 0.5 <= low <= 1.0 <= high <= 4.0


def test_the_interval_of_the_median_narrows_with_more_pairs():
    noisy = [1.0 + 0.1 * ((i * 7) % 11 - 5) for i in range(60)]
    few, many = paired_ratio(noisy[:6], [1.0] * 6), paired_ratio(noisy, [1.0] * 60)
    width = [r["median_interval"][1] - r["median_interval"][0] for r in (few, many)]
    assert width[1] < width[0]


@pytest.mark.parametrize("numerator, denominator", [([], []), ([1.0], []), ([1.0, 2.0], [1.0])])
def test_paired_ratio_refuses_unpaired_measurements(numerator, denominator):
    with pytest.raises(ValueError, match="equally long"):
        paired_ratio(numerator, denominator)


def test_training_macs_counts_forward_and_both_gradients():
    # conv1 194,688 + conv2 2,230,272 + dense 16,000 forward MACs per image; training does
    # each three times, except conv1's input gradient
    forward = 194_688 + 2_230_272 + 16_000
    assert workloads.training_macs(build_mnist_cnn()) == 3 * forward - 194_688


def test_cpu_flags_reads_the_flags_line():
    info = "processor : 0\nflags : fpu avx2 fma avx512f amx_tile\n"
    assert results_file.cpu_flags(info) == ["avx2", "fma", "avx512f", "amx_tile"]
    assert results_file.cpu_flags("processor : 0\n") == []


def test_the_code_paths_alternate():
    assert alternating_paths(3) == ["Eigen", "oneDNN"] * 3


def test_alternating_paths_takes_numpy_integers_as_every_helper_does():
    assert alternating_paths(np.int64(1)) == ["Eigen", "oneDNN"]


@pytest.mark.parametrize(
    "processes, error",
    [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError), ("2", TypeError)],
)
def test_alternating_paths_refuses_a_bad_count(processes, error):
    with pytest.raises(error, match=f"processes={processes!r}: expected a positive integer"):
        alternating_paths(processes)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["layer", "--rounds", "0"], "--rounds=0"),
        (["training", "--images", "100"], "--images=100"),
        (["precision", "--test-images", "0"], "--test-images=0"),
        (["bogus"], "invalid choice"),
    ],
)
def test_a_workload_refuses_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit):
        workloads.main(argv)
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--processes", "0"], "--processes=0"),
        (["--rounds", "0"], "--rounds=0"),
        (["--suites", "bogus"], "invalid choice"),
    ],
)
def test_the_command_refuses_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    assert message in capsys.readouterr().err


def test_a_child_measures_and_reports_its_code_path():
    result = child(["layer", "--rounds", "1"], "Eigen")
    assert result["code_path"] == "Eigen"
    assert set(result["ms"]) == {
        f"{layer} {kind}"
        for layer in ("Conv2D", "NNConv2D")
        for kind in ("forward", "forward+backward")
    }


def test_a_failing_child_is_reported_with_its_error():
    with pytest.raises(RuntimeError, match="--rounds=0"):
        child(["layer", "--rounds", "0"])


def test_write_replaces_one_suite_and_keeps_the_others(tmp_path):
    path = tmp_path / "results.json"
    about = {"cpu": "test"}
    results_file.write("layer", {"paths": {"Eigen": 1}}, path, about)
    results_file.write("separable", {"paths": {}}, path, about)
    results_file.write("layer", {"paths": {"oneDNN": 2}}, path, about)
    data = json.loads(path.read_text())
    assert data["layer"]["paths"] == {"oneDNN": 2} and "separable" in data
    assert data["layer"]["machine"] == about and data["layer"]["date"].endswith("UTC")


def test_record_notebook_time_refuses_a_name_that_is_not_a_notebook(tmp_path):
    with pytest.raises(ValueError, match="name='chapter 1': expected a notebook's file name"):
        results_file.record_notebook_time("chapter 1", 12.0, "Eigen", tmp_path / "r.json")
    with pytest.raises(TypeError, match="name=None: expected a notebook's file name"):
        results_file.record_notebook_time(None, 12.0, "Eigen", tmp_path / "r.json")
    assert not (tmp_path / "r.json").exists()


def test_the_stored_results_cover_every_suite_and_every_chapter():
    data = json.loads(results_file.RESULTS.read_text())
    for suite in DEFAULT_SUITES:
        assert {"date", "machine"} <= set(data[suite]), suite
    chapters_on_disk = {path.name for path in (ROOT / "chapters").glob("*.ipynb")}
    assert set(data["notebooks"]["test_mode_seconds"]) == chapters_on_disk
    assert set(data["notebooks_full"]) == chapters_on_disk


def _cell(notebook, marker):
    (found,) = [c.source for c in nbformat.read(notebook, as_version=4).cells if marker in c.source]
    return found


def test_the_benchmark_feeds_each_model_as_its_chapter_does():
    training_cell = _cell(ROOT / "chapters" / "01_first_cnn.ipynb", "history = model.fit(")
    assert "steps_per_execution=16" in training_cell and "x_train[:TRAIN_SIZE]" in training_cell
    assert workloads.CHAPTER_VARIANT["chapter1"] == "fit_numpy_spe16"
    pipeline = _cell(ROOT / "chapters" / "02_batch_normalization.ipynb", "def make_dataset(")
    assert "from_tensor_slices" in pipeline and ".prefetch(" in pipeline
    assert workloads.CHAPTER_VARIANT["chapter2"] == "fit_tfdata"


@pytest.mark.parametrize(
    "op, category",
    [
        ("mnist_cnn_1/conv1_1/Relu:_FusedConv2D", "convolutions"),
        ("gradient_tape/mnist_cnn_1/conv2_1/convolution/Conv2DBackpropFilter:C", "convolutions"),
        ("while/cond/StatefulPartitionedCall/mnist_cnn_1/pool2_1/MaxPool2d:MaxPool", "pooling"),
        ("gradient_tape/mnist_cnn_1/pool1_1/MaxPool2d/MaxPoolGrad:MaxPoolGrad", "pooling"),
        ("mnist_cnn_1/dropout_1/stateless_dropout/GreaterEqual:GreaterEqual", "dropout"),
        ("gradient_tape/mnist_cnn_1/classifier_1/MatMul/MatMul_1:MatMul", "dense"),
        ("with_bn_1/batch_normalization_1/batchnorm/mul:Mul", "BatchNormalization"),
        ("adam/Sqrt:Sqrt", "optimizer"),
        ("compile_loss/sparse_categorical_crossentropy/Sum:Sum", "loss and metrics"),
    ],
)
def test_the_profile_sorts_ops_by_the_layer_they_run_in(op, category):
    from helpers.profiling import group_op_times

    grouped = group_op_times({op: 1.0}, workloads.PROFILE_CATEGORIES)
    assert grouped[category] == 1.0, grouped


# The variants the training workload measures for each model (benchmarks/workloads.py).
_VARIANTS = {
    "chapter1": ("fit_numpy", "fit_tfdata", "fit_numpy_xla", "fit_numpy_spe16",
                 "step_per_call", "loop_in_graph", "fit_numpy_batch128",
                 "fit_numpy_batch256", "fit_numpy_batch512"),
    "chapter2": ("fit_tfdata", "fit_tfdata_xla", "fit_tfdata_spe16", "step_per_call",
                 "loop_in_graph"),
}  # fmt: skip


def _fake_training_child(calls):
    """A stand-in for a training child: images per second are the variant's number (its
    place in _VARIANTS, plus 1) times the round (1, 2, ...), doubled on oneDNN; one
    convolution rate of 10 GMAC/s (20 on oneDNN); 10^6 MACs per image."""

    def fake(args, code_path=None, timeout=1800):
        calls.append((args, code_path))
        model, rounds = args[args.index("--model") + 1], int(args[args.index("--rounds") + 1])
        scale = 2.0 if code_path == "oneDNN" else 1.0
        variants = _VARIANTS[model]
        return {
            "feed": "fit_numpy" if model == "chapter1" else "fit_tfdata",
            "chapter_variant": workloads.CHAPTER_VARIANT[model],
            "orders": [list(variants)] * rounds,
            "images_per_s": {
                name: [scale * (k + 1) * r for r in range(1, rounds + 1)]
                for k, name in enumerate(variants)
            },
            "training_macs_per_image": 10**6,
            "conv_gmacs_per_s": {"conv 1, batch 64": 10.0 * scale},
            "code_path": code_path,
        }

    return fake


def test_the_training_suite_pairs_rounds_and_compares_with_the_best_convolution(monkeypatch):
    from benchmarks import __main__ as bench

    calls = []
    monkeypatch.setattr(bench, "child", _fake_training_child(calls))
    result = bench.suite_training(processes=2, rounds=3)
    # two children per path and model, the paths interleaved, each with its own seed
    assert [(a[a.index("--model") + 1], a[a.index("--seed") + 1], path) for a, path in calls] == [
        (model, str(seed), path)
        for model in ("chapter1", "chapter2")
        for seed, path in enumerate(["Eigen", "oneDNN", "Eigen", "oneDNN"])
    ]
    assert result["pairs_per_ratio"] == 6
    one = result["models"]["chapter 1"]
    eigen = one["paths"]["Eigen"]
    # every variant's measurements, child by child and round by round
    assert eigen["all_images_per_s"]["fit_numpy"] == [1, 2, 3, 1, 2, 3]
    assert eigen["median_images_per_s"]["loop_in_graph"] == 12  # 6 x the median round, 2
    # a ratio of two variants of the same round: the round cancels
    spe16, loop = 4, 6  # their places in _VARIANTS, plus 1
    assert eigen["fit_over_loop"]["median"] == round(spe16 / loop, 2)
    assert eigen["fit_over_loop"]["low"] == eigen["fit_over_loop"]["high"]
    assert eigen["batch512_over_batch64"]["median"] == 9.0
    # the rate in GMAC/s, and as a fraction of the best convolution rate on the same path
    assert eigen["gmacs_per_s"]["fit_numpy_spe16"] == round(2 * spe16 * 1e6 / 1e9, 1)
    assert eigen["best_conv_gmacs_per_s"] == 10.0
    assert one["paths"]["oneDNN"]["best_conv_gmacs_per_s"] == 20.0
    assert eigen["fraction_of_best_conv"]["loop_in_graph"] == round(12e6 / 1e9 / 10, 2)
    # the code paths compared child by child: every pair is 2
    assert one["onednn_over_eigen"]["median"] == 2.0 and one["onednn_over_eigen"]["pairs"] == 6
    two = result["models"]["chapter 2"]["paths"]["Eigen"]
    assert "fit_numpy" not in two["median_images_per_s"] and "tfdata_over_numpy" not in two
    assert two["spe16_over_spe1"]["median"] == 3.0  # fit_tfdata_spe16 over fit_tfdata


def test_the_training_workload_reports_what_the_suite_reads():
    """One real, short training child: its keys and variants are the ones the fake child
    above stands in for."""
    result = workloads.training("chapter1", rounds=1, images=64)
    assert set(result["images_per_s"]) == set(_VARIANTS["chapter1"])
    assert all(len(v) == 1 and v[0] > 0 for v in result["images_per_s"].values())
    assert result["feed"] == "fit_numpy" and result["chapter_variant"] == "fit_numpy_spe16"
    assert result["training_macs_per_image"] == workloads.training_macs(build_mnist_cnn())
    assert set(result["conv_gmacs_per_s"]) == {
        f"conv {n}, batch {b}" for n in (1, 2) for b in (64, 256)
    }


def test_a_model_in_mixed_bfloat16_computes_in_bfloat16_from_the_same_weights():
    import tensorflow as tf

    plain = workloads._in_policy("chapter1", "float32")
    mixed = workloads._in_policy("chapter1", "mixed_bfloat16")
    assert [lay.compute_dtype for lay in mixed.layers] == ["bfloat16"] * 6 + ["float32"]
    assert all(lay.compute_dtype == "float32" for lay in plain.layers)
    for a, b in zip(plain.get_weights(), mixed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the weights stay float32, and start the same
    assert tf.keras.mixed_precision.global_policy().name == "float32"  # restored afterwards
    assert workloads.onednn_supports(tf.float32)


def test_the_precision_suite_pairs_the_two_policies_round_by_round(monkeypatch):
    from benchmarks import __main__ as bench

    calls = []

    def fake(args, code_path=None, timeout=1800):
        calls.append((args, code_path))
        slow = 10.0 if code_path == "Eigen" else 4.0  # bfloat16 this many times slower
        return {
            "orders": [["float32", "mixed_bfloat16"]] * 3,
            "images_per_s": {"float32": [100.0, 200.0, 300.0],
                             "mixed_bfloat16": [100 / slow, 200 / slow, 300 / slow]},
            "test_accuracy": {"float32": 0.91234, "mixed_bfloat16": 0.9},
            "test_images": 2000, "epochs": 4, "onednn_supports_bfloat16": False,
            "code_path": code_path,
        }  # fmt: skip

    monkeypatch.setattr(bench, "child", fake)
    result = bench.suite_precision(processes=1, rounds=3)
    assert [(a[a.index("--model") + 1], path) for a, path in calls] == [
        ("chapter1", "Eigen"), ("chapter1", "oneDNN"), ("chapter2", "Eigen"), ("chapter2", "oneDNN")
    ]  # fmt: skip
    one = result["models"]["chapter 1"]
    assert one["paths"]["Eigen"]["bfloat16_over_float32"]["median"] == 0.1
    assert one["paths"]["oneDNN"]["bfloat16_over_float32"]["median"] == 0.25
    assert one["paths"]["Eigen"]["median_images_per_s"] == {"float32": 200, "mixed_bfloat16": 20}
    assert one["paths"]["Eigen"]["test_accuracy"] == {"float32": [0.9123], "mixed_bfloat16": [0.9]}
    assert one["images_per_epoch"] == bench.PRECISION_IMAGES["chapter1"] and one["epochs"] == 4
    assert result["pairs_per_ratio"] == 3
