"""The explorer: sliders on a small function's inputs, driven headless; the output, the graph's
values and the gradients follow, and errors are shown in the widget.

Expected values come from the math of the seed lesson (out = mean(3(x+2)²): ∂out/∂x =
6(x+2)/4, so x from 1 to 4 moves its gradient from 4.5 to 9.0) or from PyTorch.
"""
import numpy as np
import pytest

import minigrad
from widgets import Explorer
from widgets import explorer as explorer_module


def seed(x):
    return (3 * (x + 2) ** 2).mean()


def expected_out(x):
    return float(np.mean(3 * (np.asarray(x) + 2) ** 2))


def test_seed_lesson_x_from_1_to_4():
    x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    explorer = Explorer(seed, x=x, backend="source")
    assert [s.description for s in explorer.sliders["x"]] == [
        "x[0, 0]", "x[0, 1]", "x[1, 0]", "x[1, 1]"]
    np.testing.assert_allclose(explorer.view.grads["x"].numpy(), [[4.5, 6.0], [7.5, 9.0]])
    assert "∂out/∂x = [[4.5, 6.0], [7.5, 9.0]]" in explorer.text
    shown = []
    for value in (1.0, 2.0, 3.0, 4.0):  # slide x[0, 0] from 1 to 4
        explorer.sliders["x"][0].value = value
        shown.append(float(explorer.view.grads["x"][0, 0]))
        values = [[value, 2.0], [3.0, 4.0]]
        assert explorer.view.out.item() == pytest.approx(expected_out(values))
        assert f"out = {explorer_module._value(explorer.view.out.detach())}" in explorer.text
    assert shown == pytest.approx([4.5, 6.0, 7.5, 9.0])  # 6 (x + 2) / 4
    assert "[[9.0, 6.0], [7.5, 9.0]]" in explorer.info.value
    source = explorer.view.graph.source  # the graph's values follow too
    assert 'n0 [label="x\\l[2, 2]\\l[[4., 2.],\\l [3., 4.]]\\l.grad:\\l[[9.0, 6.0]' in source
    assert "out\\lscalar\\l84.75" in source  # mean(3 (x+2)²) at x = [[4, 2], [3, 4]]
    # the caller's tensor is only read
    assert x.grad is None and not x.requires_grad
    assert x.numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_matches_pytorch():
    torch = pytest.importorskip("torch")

    def f(a, b):
        return (a * b).sin().sum() + (a ** 2 * b).mean()

    explorer = Explorer(f, a=[0.5, -1.0], b=2.0, ranges={"b": (-2.0, 2.0)}, backend="source")
    explorer.sliders["b"][0].value = -0.7
    explorer.sliders["a"][1].value = 1.3
    ta = torch.tensor([0.5, 1.3], requires_grad=True)
    tb = torch.tensor(-0.7, requires_grad=True)
    f(ta, tb).backward()
    np.testing.assert_allclose(explorer.view.grads["a"].numpy(), ta.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(explorer.view.grads["b"].numpy(), tb.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(explorer.view.out.item(), f(ta, tb).item(), rtol=1e-6)


def test_scalar_inputs_and_ranges():
    explorer = Explorer(lambda a, b: a * b + b, a=2.0, b=3.0, ranges={"b": (-1.0, 5.0)},
                        backend="source")
    assert explorer.sliders["a"][0].description == "a"
    assert explorer.sliders["b"][0].min == -1.0 and explorer.sliders["b"][0].max == 5.0
    a_slider = explorer.sliders["a"][0]
    assert a_slider.min <= 0.0 and a_slider.max >= 4.0  # room around the starting value
    assert float(explorer.view.grads["a"]) == 3.0 and float(explorer.view.grads["b"]) == 3.0
    explorer.sliders["b"][0].value = 4.5
    assert float(explorer.view.grads["a"]) == 4.5  # ∂(ab + b)/∂a = b
    assert float(explorer.view.grads["b"]) == 3.0  # ∂(ab + b)/∂b = a + 1


def test_non_scalar_output_is_seeded_with_ones():
    explorer = Explorer(lambda x: x * x, x=[1.0, -2.0], backend="source")
    np.testing.assert_allclose(explorer.view.grads["x"].numpy(), [2.0, -4.0])
    assert explorer.view.seed == "ones" and "out.sum()" in explorer.text
    explorer = Explorer(lambda x: x * x, x=[1.0, -2.0], gradient=[0.5, 1.0], backend="source")
    np.testing.assert_allclose(explorer.view.grads["x"].numpy(), [1.0, -4.0])


def test_errors_of_f_are_shown_and_the_widget_recovers(capsys):
    def f(x):
        if x.item() < 0:
            raise ValueError("x must not be negative")
        return x.sqrt()

    explorer = Explorer(f, x=4.0, ranges={"x": (-2.0, 6.0)}, backend="source")
    assert float(explorer.view.grads["x"]) == pytest.approx(0.25)
    explorer.sliders["x"][0].value = -1.0
    assert "ValueError: x must not be negative" in explorer.error_box.value
    assert explorer.view is None and explorer.picture.outputs == ()
    assert explorer.text.startswith("Explorer: error\nValueError: x must not be negative")
    explorer.sliders["x"][0].value = 1.0
    assert explorer.error_box.value == "" and float(explorer.view.grads["x"]) == 0.5
    assert capsys.readouterr() == ("", "")


def test_failing_renderer_is_shown():
    def failing(f, values, **kwargs):
        if values["x"][0] > 2:
            raise RuntimeError("renderer failed")
        return explorer_module.explore_view(f, values, **kwargs)

    explorer = Explorer(seed, x=[1.0], renderer=failing, backend="source")
    assert explorer.sliders["x"][0].max >= 3.0
    assert explorer.error is None
    explorer.sliders["x"][0].value = 3.0
    assert "RuntimeError: renderer failed" in explorer.error_box.value
    assert "RuntimeError: renderer failed" in explorer._repr_mimebundle_()["text/plain"]


def test_picture_and_static_fallback():
    explorer = Explorer(seed, x=minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    (record,) = explorer.picture.outputs
    assert record["output_type"] == "display_data"
    assert "<svg" in record["data"]["image/svg+xml"]
    bundle = explorer._repr_mimebundle_()
    again = Explorer(seed, x=minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]))._repr_mimebundle_()
    assert bundle["text/plain"] == again["text/plain"]
    assert bundle["text/html"] == again["text/html"]
    assert bundle["text/plain"].startswith("Explorer: out = 64.5")
    assert "0x" not in bundle["text/plain"]
    assert "<table" in bundle["text/html"] and "data:image/svg+xml;base64," in bundle["text/html"]
    assert repr(explorer) == "Explorer: out = 64.5"


def test_bad_arguments():
    with pytest.raises(TypeError, match="inputs of f as keywords"):
        Explorer(seed)
    with pytest.raises(ValueError, match="one slider per element"):
        Explorer(seed, x=minigrad.zeros(5, 5))
