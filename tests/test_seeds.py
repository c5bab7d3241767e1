"""The seed lessons (exported notebooks in tests/data/seeds) run under minigrad print what PyTorch prints.

Where each lesson comes from, and its licence, is in tests/data/seeds/SOURCES.md.
Each lesson's cells run in order in one namespace, once with ``import torch`` meaning minigrad and
once with the real PyTorch; ``randn`` is replaced in both by the same fixed values, so the two
transcripts (stdout, and each cell's last bare expression shown with repr, as Jupyter does) must
be identical, memory addresses aside. Cells whose output never depended on random numbers must
also print exactly what the seed recorded.
"""
from pathlib import Path

import pytest

import minigrad
from seed_cells import fixed_randn, mask_addresses, parse_export, run_lesson

torch = pytest.importorskip("torch", reason="PyTorch is the reference the lessons are compared to")

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
LESSONS = sorted(p.name for p in SEEDS.glob("*.txt"))

# Cells that cannot apply to minigrad, by lesson prefix and prompt label, with the reason.
NOT_APPLICABLE = {
    "004": {
        "1": "prints torch.__version__, which names the library's own release",
        "26": "imports PyTorch's internal modules (torch.autograd.variable, .function with "
              "NestedIOFunction, .gradcheck, .grad_mode, .anomaly_mode, profiler)",
    },
}

# Cells whose inputs are all fixed in the lesson: minigrad must print what the seed recorded.
FIXED_INPUT_CELLS = {
    "000": ["5", "6", "7", "8"],
    "001": ["11", "12", "16", "14"],
    "002": ["1", "87", "89", "73", "74", "7", "10", "9", "21", "34", "29", "90"],
    "003": ["None", "2", "26", "27", "28", "29", "32", "31"],
    "004": ["2", "4", "6", "7", "8", "12", "13", "14", "27", "29", "35", "None"],
}

# The numbers the lessons teach, as the seeds printed them (PyTorch's output), by lesson.
TAUGHT_NUMBERS = {
    "000": ["tensor(64.5000, grad_fn=<MeanBackward0>)",
            "tensor([[4.5000, 6.0000],\n        [7.5000, 9.0000]])"],
    "001": ["tensor([2.0480e+02, 2.0480e+03, 2.0480e-01])",
            "tensor([31., 31., 31., 31.])\ntensor([62., 62., 62., 62.])\n"
            "tensor([93., 93., 93., 93.])",
            "Final Weight tensor([0.1000, 0.1000, 0.1000, 0.1000], requires_grad=True)"],
    "002": ["tensor(28., grad_fn=<MulBackward0>)", "tensor([ 0.,  4.,  8., 12.])"],
    "004": ["tensor(27., grad_fn=<MeanBackward0>)",
            "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])",
            # x is the fixed randn value, so these are the seed's own lines
            "x : tensor([ 0.3164, -1.1508,  1.5400], requires_grad=True)",
            "tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])"],
}

def _lesson(name):
    return parse_export((SEEDS / name).read_text(encoding="utf-8"))


def _skips(name):
    return NOT_APPLICABLE.get(name[:3], {})


@pytest.fixture
def fixed_random(monkeypatch):
    """randn in both libraries returns the same fixed values."""
    monkeypatch.setattr(torch, "randn", fixed_randn(torch))
    monkeypatch.setattr(minigrad, "randn", fixed_randn(minigrad))


@pytest.fixture(scope="module")
def transcripts():
    """Each lesson run under minigrad and under PyTorch (with fixed random values)."""
    saved = torch.randn, minigrad.randn
    torch.randn, minigrad.randn = fixed_randn(torch), fixed_randn(minigrad)
    try:
        return {name: (run_lesson(_lesson(name), "minigrad", _skips(name)),
                       run_lesson(_lesson(name), "torch", _skips(name))) for name in LESSONS}
    finally:
        torch.randn, minigrad.randn = saved


def test_all_five_lessons_are_found():
    assert len(LESSONS) == 5, LESSONS
    assert {n[:3] for n in LESSONS} == {"000", "001", "002", "003", "004"}


def test_every_lesson_has_its_source_and_licence_noted():
    sources = (SEEDS / "SOURCES.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in sources.splitlines()
            if line.startswith("| `")}
    assert sorted(rows) == LESSONS
    for name, row in rows.items():
        licence = row.rstrip(" |").rsplit("|", 1)[1]
        assert any(word in licence for word in ("BSD", "MIT", "CC BY-SA")), (name, licence)


@pytest.mark.parametrize("name", LESSONS)
def test_cells_are_extracted_in_order(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    cells = _lesson(name)
    prompts = [line[4:-2].strip() for line in text.splitlines() if line.startswith("In [")]
    assert [c.label for c in cells] == prompts
    for cell in cells:
        compile(cell.code, f"{name} In [{cell.label}]", "exec")  # every cell is Python
    for label in _skips(name):
        assert label in prompts, f"{name}: the not-applicable cell In [{label}] is gone"


def test_code_and_output_are_told_apart():
    """Spots where a printed value would also parse as Python (False, tensor(True), x : ...)."""
    by_label = {n[:3]: {c.label: c for c in _lesson(n)} for n in LESSONS}
    cell = by_label["000"]["4"]
    assert cell.code.rstrip().endswith("print((x ** 2).requires_grad)")
    assert cell.recorded.startswith("False")
    cell = by_label["000"]["3"]
    assert "tensor(True)" not in cell.code and cell.recorded.startswith("False\ntensor(True)")
    cell = by_label["001"]["9"]
    assert cell.code.rstrip().endswith("print(b.requires_grad)")
    assert cell.recorded == "True\nFalse"
    cell = by_label["001"]["5"]  # trailing comments stay code; the printed gradient does not
    assert cell.code.rstrip().endswith("# It computes partial derivates while applying the chain "
                                       "rule")
    assert cell.recorded.startswith("tensor([3.1509, 1.5362, 2.0974])")
    cell = by_label["004"]["11"]
    assert cell.code.rstrip().endswith("print('y :', y)") and cell.recorded.startswith("x : ")
    cell = by_label["004"]["35"]  # a function whose body has blank lines is kept whole
    assert "allow_unreachable=True)" in cell.code and cell.recorded == ""
    cell = by_label["003"]["None"]  # the %matplotlib magic is not Python; the text after is not code
    assert cell.code.strip() == "# %matplotlib inline"
    assert cell.recorded.startswith("Autograd: automatic differentiation")


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_prints_what_pytorch_prints(name, transcripts):
    mine, theirs = transcripts[name]
    assert [label for label, _, _ in mine] == [label for label, _, _ in theirs]
    for (label, out, warned), (_, expected, expected_warned) in zip(mine, theirs):
        assert out == expected, f"{name} In [{label}]"
        assert warned == expected_warned, f"{name} In [{label}]"


@pytest.mark.parametrize("name", LESSONS)
def test_cells_with_fixed_inputs_print_what_the_seed_recorded(name, transcripts):
    recorded = {c.label: mask_addresses(c.recorded) for c in _lesson(name)}
    mine = {label: out for label, out, _ in transcripts[name][0]}
    labels = FIXED_INPUT_CELLS[name[:3]]
    assert labels
    for label in labels:
        out, seen = mine[label].rstrip("\n"), recorded[label]
        if not out:  # what follows a silent cell is the lesson's text, never a printed value
            assert not seen.startswith(("tensor", "<", "True", "False", "None")), label
            continue
        # What follows a cell's output in the export may be the lesson's text: compare up to it.
        assert seen == out or seen.startswith(out + "\n\n"), \
            f"{name} In [{label}]:\n{out}\n--- recorded:\n{seen}"


@pytest.mark.parametrize("prefix", sorted(TAUGHT_NUMBERS))
def test_taught_numbers_appear(prefix, transcripts):
    name = next(n for n in LESSONS if n.startswith(prefix))
    printed = "".join(out for _, out, _ in transcripts[name][0])
    for snippet in TAUGHT_NUMBERS[prefix]:
        assert snippet in printed, snippet
    for snippet in TAUGHT_NUMBERS[prefix]:  # and they are the seed's own lines
        assert snippet in (SEEDS / name).read_text(encoding="utf-8")


def test_no_cell_is_silently_dropped(transcripts):
    """Every cell but the listed ones ran, under both libraries."""
    for name in LESSONS:
        labels = [c.label for c in _lesson(name) if c.label not in _skips(name)]
        assert [label for label, _, _ in transcripts[name][0]] == labels
        assert [label for label, _, _ in transcripts[name][1]] == labels


def test_fixed_randn_is_the_same_in_both(fixed_random):
    a, b = minigrad.randn(2, 3, requires_grad=True), torch.randn(2, 3, requires_grad=True)
    assert repr(a) == repr(b)
    assert a.tolist() == b.tolist()
    assert repr(minigrad.randn(size=())) == repr(torch.randn(size=()))
