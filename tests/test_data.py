"""``utils.data`` against PyTorch's: the same batches, counts, shapes, dtypes and collation;
shuffled orders are permutations, reproducible from a seeded generator (minigrad's generator
draws other permutations than PyTorch's, so orders are compared as sets and by their rules)."""
import warnings

import numpy as np
import pytest

import minigrad
from compare import outcome

torch = pytest.importorskip("torch")


def structure(batch):
    """What a collated batch is, without values: types, shapes and dtypes, nested."""
    if hasattr(batch, "shape"):
        return ("tensor", tuple(batch.shape), str(batch.dtype))
    if isinstance(batch, dict):
        return {k: structure(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [structure(b) for b in batch])
    return batch


def loader(lib, n=10, **kwargs):
    data = lib.utils.data
    x = lib.arange(n * 3, dtype=lib.float32).reshape(n, 3)
    y = lib.arange(n)
    return data.DataLoader(data.TensorDataset(x, y), **kwargs)


@pytest.mark.parametrize("kwargs", [dict(), dict(batch_size=4), dict(batch_size=4, drop_last=True),
                                    dict(batch_size=5), dict(batch_size=20),
                                    dict(batch_size=3, shuffle=False), dict(batch_size=None)])
def test_sequential_batches_are_pytorchs(kwargs):
    mine, theirs = list(loader(minigrad, **kwargs)), list(loader(torch, **kwargs))
    assert len(loader(minigrad, **kwargs)) == len(loader(torch, **kwargs)) == len(theirs)
    assert [structure(b) for b in mine] == [structure(b) for b in theirs]
    assert [[t.tolist() for t in b] for b in mine] == [[t.tolist() for t in b] for b in theirs]


@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (1, False), (10, False)])
def test_shuffled_batches_follow_the_same_rules(batch_size, drop_last):
    def run(lib, seed):
        g = lib.Generator().manual_seed(seed)
        return list(loader(lib, batch_size=batch_size, shuffle=True, drop_last=drop_last,
                           generator=g))
    mine, theirs = run(minigrad, 0), run(torch, 0)
    assert [structure(b) for b in mine] == [structure(b) for b in theirs]
    order = [i for _, y in mine for i in y.tolist()]
    kept = len(theirs) * batch_size if drop_last else 10
    assert len(order) == len(set(order)) == kept  # a permutation (of a part, with drop_last)
    for x, y in mine:  # the rows stay together
        np.testing.assert_array_equal(x.numpy(), np.arange(30).reshape(10, 3)[y.numpy()])
    again = run(minigrad, 0)
    assert [b[1].tolist() for b in again] == [b[1].tolist() for b in mine]
    orders = {tuple(i for _, y in run(minigrad, s) for i in y.tolist()) for s in range(5)}
    assert len(orders) > 1  # the seed matters
    # each pass over the loader draws a new order
    dl = loader(minigrad, batch_size=10, shuffle=True,
                generator=minigrad.Generator().manual_seed(1))
    passes = {tuple(next(iter(dl))[1].tolist()) for _ in range(5)}
    assert len(passes) > 1


@pytest.mark.parametrize("samples", [
    lambda T: [(T.ones(2), 1), (T.zeros(2), 0)],
    lambda T: [{"x": T.ones(2), "y": 1.5}, {"x": T.zeros(2), "y": 2.5}],
    lambda T: [np.ones(3, dtype=np.float32), np.zeros(3, dtype=np.float32)],
    lambda T: [3, 4, 5], lambda T: [0.5, 1.5], lambda T: [True, False],
    lambda T: [("a", T.ones(1)), ("b", T.ones(1))],
    lambda T: [[T.ones(2), T.zeros(1)], [T.ones(2), T.zeros(1)]],
    lambda T: [np.float64(1.0), np.float64(2.0)],
])
def test_default_collate(samples):
    mine = minigrad.utils.data.default_collate(samples(minigrad))
    theirs = torch.utils.data.default_collate(samples(torch))
    assert structure(mine) == structure(theirs)
    assert repr(mine) == repr(theirs)


class Squares:
    """A map-style dataset written as the tutorials write them."""

    def __init__(self, lib, n):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.lib.tensor([float(i)]), i * i


def test_custom_dataset_subclass():
    def run(lib):
        class DS(Squares, lib.utils.data.Dataset):
            pass
        return list(lib.utils.data.DataLoader(DS(lib, 5), batch_size=2))
    assert repr(run(minigrad)) == repr(run(torch))
    assert outcome(lambda T: T.utils.data.Dataset()[0], minigrad) == \
        outcome(lambda T: T.utils.data.Dataset()[0], torch)


@pytest.mark.parametrize("lengths", [[7, 3], [0.7, 0.3], [0.5, 0.5], [0.34, 0.33, 0.33],
                                     [1.0, 0.0], [5, 5, 0], [4, 4], [0.6, 0.6]])
def test_random_split(lengths):
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                parts = lib.utils.data.random_split(range(10), lengths,
                                                    generator=lib.Generator().manual_seed(42))
            except Exception as e:  # noqa: BLE001 - the outcome compared
                return type(e).__name__, str(e), [str(w.message) for w in caught]
        return [len(p) for p in parts], [str(w.message) for w in caught], parts
    mine, theirs = run(minigrad), run(torch)
    assert mine[:2] == theirs[:2]
    if isinstance(mine[0], list):
        items = [i for p in mine[2] for i in p]
        assert sorted(items) == list(range(10))
        assert all(type(p).__name__ == "Subset" for p in mine[2])


def test_tensor_dataset_and_subset():
    for lib in (minigrad, torch):
        data = lib.utils.data
        ds = data.TensorDataset(lib.arange(6.0).reshape(3, 2), lib.tensor([1, 2, 3]))
        assert len(ds) == 3 and len(data.Subset(ds, [2, 0])) == 2
    same_text = [outcome(lambda T: repr(T.utils.data.TensorDataset(
        T.arange(6.0).reshape(3, 2), T.tensor([1, 2, 3]))[1]), lib) for lib in (minigrad, torch)]
    assert same_text[0] == same_text[1]
    for expr in (lambda T: T.utils.data.TensorDataset(T.ones(3), T.ones(2)),
                 lambda T: repr(T.utils.data.Subset(T.utils.data.TensorDataset(
                     T.arange(4.0)), [3, 1])[1]),
                 lambda T: repr((T.utils.data.TensorDataset(T.arange(2.0)) +
                                 T.utils.data.TensorDataset(T.arange(3.0)))[3]),
                 lambda T: T.utils.data.DataLoader(range(3), batch_size=0),
                 lambda T: T.utils.data.DataLoader(range(3), shuffle=True, sampler=[0]),
                 lambda T: T.utils.data.DataLoader(range(3), batch_size=None, drop_last=True)):
        assert outcome(expr, minigrad) == outcome(expr, torch)
