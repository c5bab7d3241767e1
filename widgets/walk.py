"""Walking a recorded graph: minigrad's or PyTorch's, through the API the two share.

A graph is the set of backward nodes reachable from the outputs' ``grad_fn`` through
``next_functions``. Leaves that require grad are reached as nodes with a ``variable`` (PyTorch's
and minigrad's ``AccumulateGrad``); an input that needs no gradient is a ``(None, 0)`` entry.
Every walk here is iterative (a loop and a queue), so a 100,000-deep chain draws like a short one.
"""
import heapq
from collections import deque


def is_leaf_node(node):
    """True for an ``AccumulateGrad``: the node standing for a leaf tensor that requires grad."""
    return hasattr(node, "variable")


def topological(roots):
    """Every node reachable from ``roots``, each once, every consumer before what it consumes.

    Nodes are discovered breadth-first in argument order; among nodes whose consumers are all
    listed, the earliest discovered comes first. So the order depends on the graph only (never
    on memory addresses), and node ids taken from it are the same on every run.
    """
    index, found, uses = {}, [], {}
    queue = deque()
    for root in roots:
        if root not in index:
            index[root] = len(found)
            found.append(root)
            queue.append(root)
    while queue:
        for child, _ in queue.popleft().next_functions:
            if child is None:
                continue
            uses[child] = uses.get(child, 0) + 1
            if child not in index:
                index[child] = len(found)
                found.append(child)
                queue.append(child)
    ready = [index[n] for n in found if uses.get(n, 0) == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        node = found[heapq.heappop(ready)]
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                uses[child] -= 1
                if uses[child] == 0:
                    heapq.heappush(ready, index[child])
    return order


def neighbourhood(order, start, radius):
    """The nodes at most ``radius`` edges away from ``start``, edges taken in either direction."""
    around = {}
    for node in order:
        for child, _ in node.next_functions:
            if child is not None:
                around.setdefault(node, []).append(child)
                around.setdefault(child, []).append(node)
    near, frontier = {start}, [start]
    for _ in range(radius):
        step = []
        for node in frontier:
            for other in around.get(node, ()):
                if other not in near:
                    near.add(other)
                    step.append(other)
        frontier = step
    return near
