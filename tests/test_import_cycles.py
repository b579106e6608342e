"""No modules of app/ import each other in a circle, counting the imports inside functions.

An import inside a function hides a circle from Python but not from the design: when two areas
need each other, one of them is missing a signal (docs/architecture.md, Signals).
"""
import ast
from pathlib import Path


APP = Path(__file__).resolve().parent.parent / 'app'


def module_names() -> dict[str, Path]:
    names = {}
    for path in APP.rglob('*.py'):
        parts = list(path.relative_to(APP.parent).with_suffix('').parts)
        if parts[-1] == '__init__':
            parts.pop()
        names['.'.join(parts)] = path
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of app/ it imports anywhere in its text (``from app.x import y``: app.x.y or app.x)."""
    names = module_names()

    def resolve(name: str) -> str | None:
        while name and name not in names:
            name = name.rpartition('.')[0]
        return name or None

    graph = {}
    for name, path in names.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets.update(f'{node.module}.{alias.name}' for alias in node.names)
        graph[name] = {resolved for t in targets if t.split('.')[0] == 'app' and (resolved := resolve(t))} - {name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph[successor])))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_circle_finder_finds_a_circle():
    assert circles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [['a', 'b', 'c']]


def test_no_modules_of_the_app_import_each_other_in_a_circle():
    graph = import_graph()
    assert 'app.notifications.listeners' in graph['app']   # imports inside functions count
    assert circles(graph) == []
