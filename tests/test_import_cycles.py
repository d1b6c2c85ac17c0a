"""No import cycle between our modules: each one can be read knowing only the modules below it.

Every module of accounts/, articles/ and newsroom/ is read with ast, imports inside functions included (a cycle
hidden in a function still means two modules that each need the other). An import names the module it loads: ``from . import
x`` is the submodule ``x`` when there is one, else the package's ``__init__``. Packages are not counted as
importing their parents' ``__init__`` for every submodule, since Python runs that only once, top-down.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["accounts", "articles", "newsroom"]


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules():
    """{dotted name: path} for every module of our packages."""
    return {
        module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
    }


def imports_of(name, path, modules):
    """The modules of ours that the module ``name`` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)
    return {imported for imported in found if imported in modules and imported != name}


def import_graph():
    modules = our_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycles_between_our_modules():
    graph = import_graph()
    found = cycles(graph)
    edges = [
        f"{module} -> {', '.join(sorted(graph[module] & set(component)))}"
        for component in found
        for module in component
    ]
    assert found == [], "import cycle(s):\n" + "\n".join(edges)


def test_the_graph_sees_relative_function_level_and_package_imports():
    graph = import_graph()
    assert "articles.models.status" in graph["articles.models.article"]  # from .status import Status
    assert "articles.models" in graph["articles.cache"]  # from .models import Article, inside a function
    assert "articles.importers.story" in graph["articles.importers.text"]
    assert "articles.extraction.references" in graph["articles.forms"]


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
