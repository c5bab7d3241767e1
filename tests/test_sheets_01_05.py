"""Exercise sheets 01–05: "by hand" cannot be passed by delegating to autograd or optim, however
the call is spelled, and a by-hand answer written another way still passes.

Each sheet's code cells run here in one namespace, as in test_sheets_06_08.py; the reference's
values are compared with the values a delegating answer sends, as the grader would.
"""
import pytest

from test_sheets_06_08 import run_sheet, same

# sheet 02 runs its broken loop, which reads a non-leaf's .grad on purpose
pytestmark = pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")

VJP_BY_GRAD = '''
def f_vjp(x, v):
    x = x.detach().requires_grad_()
    return torch.autograd.grad(f(x), x, v)[0]
'''
VJP_BY_VARS = '''
def f_vjp(x, v):
    x = x.detach().requires_grad_()
    api = vars(vars(torch)["auto" "grad"])["gr" "ad"]
    return api(f(x), x, v)[0]
'''
VJP_BY_BACKWARD = '''
_run = torch.Tensor.backward
def f_vjp(x, v):
    x = x.detach().requires_grad_()
    _run(f(x), v)
    return x.grad
'''
SGD_WRAPPED = '''
def sgd_step(params, lr):
    optimizer = torch.optim.SGD(params, lr=lr)
    optimizer.step()
    optimizer.zero_grad()
'''
SGD_BY_VARS = '''
def sgd_step(params, lr):
    optimizer = vars(torch.optim)["S" "GD"](params, lr=lr)
    type(optimizer).__dict__["st" "ep"](optimizer)
    for p in params:
        p.grad = None
'''
UPDATE_BY_GETATTR = '''
def update(w, lr):
    getattr(w, "da" "ta").sub_(lr * w.grad)
    w.grad.zero_()
'''
UPDATE_BY_OPTIM = '''
def update(w, lr):
    torch.optim.SGD([w], lr=lr).step()
    w.grad.zero_()
'''


@pytest.mark.parametrize("sheet, gid, source, checks", [
    ("01_vjp_of_an_op.ipynb", "ex1-vjp", VJP_BY_GRAD,
     ["f_vjp(x, v)", "calls in f_vjp that delegate", "f_vjp at other points"]),
    ("01_vjp_of_an_op.ipynb", "ex1-vjp", VJP_BY_VARS, ["f_vjp(x, v)", "f_vjp at other points"]),
    ("01_vjp_of_an_op.ipynb", "ex1-vjp", VJP_BY_BACKWARD, ["f_vjp(x, v)"]),
    ("02_accumulate_and_step.ipynb", "ex2-sgd-step", SGD_WRAPPED,
     ["w after 5 steps", "sgd_step's error, if any", "calls in sgd_step that delegate"]),
    ("02_accumulate_and_step.ipynb", "ex2-sgd-step", SGD_BY_VARS,
     ["w after 5 steps", "sgd_step's error, if any"]),
    ("04_legacy_variable.ipynb", "ex3-modernise", UPDATE_BY_GETATTR,
     ["what update() reads through .data or by a string"]),
    ("04_legacy_variable.ipynb", "ex3-modernise", UPDATE_BY_OPTIM,
     ["w, is it a leaf, does it require grad, is w.grad empty, its error: after each update"]),
])
def test_delegating_to_autograd_or_optim_fails(sheet, gid, source, checks):
    _, reference = run_sheet(sheet)
    _, got = run_sheet(sheet, {gid: source})
    for name in checks:
        assert not same(got[name], reference[name]), f"{name}: passes with {gid} delegated"


@pytest.mark.parametrize("sheet, gid, source", [
    ("01_vjp_of_an_op.ipynb", "ex1-vjp", '''
def f_vjp(x, v):
    s, c = torch.sin(x), torch.cos(x)
    return v * s + v * x * c
'''),
    ("02_accumulate_and_step.ipynb", "ex2-sgd-step", '''
def sgd_step(params, lr):
    for p in params:
        with torch.no_grad():
            p.sub_(lr * p.grad)
        p.grad.zero_()
'''),
    ("04_legacy_variable.ipynb", "ex3-modernise", '''
def update(w, lr):
    with torch.no_grad():
        w.sub_(w.grad, alpha=lr)
    w.grad = None
'''),
])
def test_a_by_hand_answer_written_another_way_passes(sheet, gid, source):
    _, reference = run_sheet(sheet)
    _, got = run_sheet(sheet, {gid: source})
    assert got.keys() == reference.keys()
    for name in reference:
        assert same(got[name], reference[name]), name
