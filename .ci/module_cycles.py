#!/usr/bin/env python3
"""No import circle between the files of one crate: builds each crate's file graph from its `use`
paths and `crate::`/`super::` references (test modules and `pub use` re-exports left out; a name a
parent re-exports is traced to the file that defines it) and names every cycle. Exit 1 if any.

    python3 .ci/module_cycles.py [crate_src_dir ...]   default: src and crates/*/src
"""
import glob
import os
import re
import sys

DEF = re.compile(r"^\s*pub(?:\([^)]*\))?\s+(?:async\s+)?(?:unsafe\s+)?"
                 r"(?:struct|enum|fn|trait|type|const|static|mod|union)\s+(\w+)", re.M)
MOD = re.compile(r"^\s*(#\[cfg\(test\)\]\s*)?(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", re.M)
PATH = re.compile(r"\b(crate|super|self)((?:::\w+)+)")
USE_GROUP = re.compile(r"\buse\s+(crate|super|self)((?:::\w+)*)::\{([^;]*)\}\s*;", re.S)


def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    # Test modules are not the crate's structure: drop an inline `#[cfg(test)] mod x { ... }`.
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    if m:
        depth, i = 0, m.end() - 1
        while i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        text = text[:m.start()] + text[i + 1:]
    return text


def crate_files(src):
    """Module path (tuple) -> file, from the root's `mod` declarations down; test modules left out."""
    files = {}
    root = os.path.join(src, "lib.rs")
    if not os.path.exists(root):
        root = os.path.join(src, "main.rs")

    def walk(path, modpath):
        files[modpath] = path
        text = open(path).read()
        base = os.path.dirname(path) if os.path.basename(path) in ("lib.rs", "main.rs", "mod.rs") \
            else os.path.splitext(path)[0]
        for m in MOD.finditer(strip(text)):
            if m.group(1):
                continue
            name = m.group(2)
            for cand in (os.path.join(base, name + ".rs"), os.path.join(base, name, "mod.rs")):
                if os.path.exists(cand):
                    walk(cand, modpath + (name,))
                    break
    walk(root, ())
    return files


def graph(src):
    files = crate_files(src)
    by_file = {f: p for p, f in files.items()}
    texts = {p: strip(open(f).read()) for p, f in files.items()}
    defs = {p: set(DEF.findall(t)) for p, t in texts.items()}
    reexports = {}  # (module path, name) -> module path it comes from
    for p, t in texts.items():
        for m in re.finditer(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", t):
            body = m.group(1)
            g = re.match(r"(\w+(?:::\w+)*)::\{(.*)\}", body, re.S)
            items = [(g.group(1), n.strip()) for n in g.group(2).split(",")] if g else \
                [(body.rsplit("::", 1)[0], body.rsplit("::", 1)[-1].strip())] if "::" in body else []
            for prefix, n in items:
                n = n.split(" as ")[-1].strip()
                if n and n != "*":
                    reexports[(p, n)] = resolve_mod(p, prefix.split("::"), files)

    def target(cur, segs):
        """The file a path like ['crate','a','B'] lands in, following re-exports."""
        mod = resolve_mod(cur, segs, files)
        if mod is None:
            return None
        # Past the module part, a name the module re-exports belongs to where it comes from.
        rest = segs[len_consumed(cur, segs, files):]
        if rest:
            src = reexports.get((mod, rest[0]))
            if src is not None and rest[0] not in defs.get(mod, set()):
                return src
        return mod

    edges = {p: set() for p in files}
    for p, t in texts.items():
        t_no_reexport = re.sub(r"\bpub(?:\([^)]*\))?\s+use\s+[^;]+;", "", t)
        refs = []
        for m in USE_GROUP.finditer(t_no_reexport):
            head = [m.group(1)] + [s for s in m.group(2).split("::") if s]
            for item in re.split(r",(?![^{]*\})", m.group(3)):
                item = item.strip().split(" as ")[0]
                if item and item != "self":
                    refs.append(head + [s for s in re.split(r"::", item.replace("{", "").replace("}", "")) if s][:1])
                elif item == "self":
                    refs.append(head)
        for m in PATH.finditer(USE_GROUP.sub("", t_no_reexport)):
            refs.append([m.group(1)] + [s for s in m.group(2).split("::") if s])
        # Paths through a child module by its bare name (`use world::World`, `ids::next(..)`).
        children = [m[-1] for m in files if len(m) == len(p) + 1 and m[:-1] == p]
        for c in children:
            for m in re.finditer(r"(?<![:\w])" + c + r"((?:::\w+)+)", t_no_reexport):
                refs.append(["self", c] + [s for s in m.group(1).split("::") if s])
        for segs in refs:
            tgt = target(p, segs)
            if tgt is not None and tgt != p and not is_ancestor_decl(p, tgt):
                edges[p].add(tgt)
    return files, edges


def resolve_mod(cur, segs, files):
    """The deepest file module a path names (relative to `cur`'s module path)."""
    if not segs:
        return cur
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    elif segs[0] == "super":
        base, rest = cur, segs
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    elif segs[0] == "self":
        base, rest = cur, segs[1:]
    else:
        base, rest = cur, segs
        if (cur + (rest[0],)) not in files:
            return None
    mod = base
    for s in rest:
        if mod + (s,) in files:
            mod = mod + (s,)
        else:
            break
    return mod if mod in files else None


def len_consumed(cur, segs, files):
    n = 1 if segs[0] in ("crate", "self") else 0
    base = () if segs[0] == "crate" else cur
    i = 0
    while i < len(segs) and segs[i] == "super":
        base, i = base[:-1], i + 1
    n = max(n, i)
    mod = base
    for s in segs[n:]:
        if mod + (s,) in files:
            mod, n = mod + (s,), n + 1
        else:
            break
    return n


def is_ancestor_decl(a, b):
    return False


def cycles(edges):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)
    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            strong(v)
    return out


def main(dirs):
    bad = 0
    for src in dirs:
        files, edges = graph(src)
        for comp in cycles(edges):
            bad += 1
            names = sorted(os.path.relpath(files[m]) for m in comp)
            print(f"module_cycles: a circle in {src}: {' ↔ '.join(names)}", file=sys.stderr)
            for m in sorted(comp):
                for t in sorted(edges[m] & set(comp)):
                    print(f"    {os.path.relpath(files[m])} uses {os.path.relpath(files[t])}",
                          file=sys.stderr)
    if bad:
        sys.exit(1)
    print(f"module_cycles: ok ({len(dirs)} crates, no import circle between files)")


if __name__ == "__main__":
    main(sys.argv[1:] or ["src"] + sorted(glob.glob("crates/*/src")))
