//! The layout of `src/`: imports point down only. Every `use crate::…`, `use super::…` and
//! inline `crate::…` / `super::…` path is an edge from its file to the file it names; a
//! cycle among files, or a module importing one above its level, fails here. Std only,
//! so it reads the sources as they are, test modules included.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The level of each top-level module (STYLE.md): a module may import modules of its own
/// level or below, never above. Modules not listed (new ones) are held only to "no cycle".
const LEVELS: &[(&str, u8)] = &[
    ("error", 0),
    ("redact", 0),
    ("cli", 0),
    ("phone", 0),
    ("message", 0),
    ("request", 1),
    ("output", 1),
    ("store", 1),
    ("http", 2),
    ("config", 2),
    ("providers", 3),
    ("app", 4),
];

type Module = Vec<String>;

#[test]
fn src_has_no_import_cycle_and_imports_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = read_tree(&src);
    assert!(files.len() > 10, "read {} files from src/", files.len());
    let edges = edges(&files);
    let cycles = cycles(&edges);
    assert!(
        cycles.is_empty(),
        "import cycles in src/:\n{}",
        cycles
            .iter()
            .map(|c| format!("  files importing each other: {}", c.join(", ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let upward = upward(&edges);
    assert!(
        upward.is_empty(),
        "imports that point up a level:\n  {}",
        upward.join("\n  ")
    );
}

/// Lower layers hand their words back and never print; adapters are pure (no I/O):
/// pairs of top-level modules that must never be joined by an import.
const NEVER: &[(&str, &str, &str)] = &[
    ("http", "output", "http returns warnings, never prints"),
    ("config", "output", "config returns warnings, never prints"),
    ("providers", "output", "adapters return values, never print"),
    ("providers", "http", "adapters are pure: no I/O"),
    ("providers", "app", "adapters sit below the commands"),
    ("output", "providers", "output knows no provider types"),
];

#[test]
fn lower_layers_never_print_and_adapters_never_do_io() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = edges(&read_tree(&src));
    let mut broken = Vec::new();
    for (from, tos) in &edges {
        for to in tos {
            for (a, b, why) in NEVER {
                if from.first().map(String::as_str) == Some(*a)
                    && to.first().map(String::as_str) == Some(*b)
                {
                    broken.push(format!("{} -> {}: {why}", from.join("/"), to.join("/")));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports that must not be:\n  {}",
        broken.join("\n  ")
    );
}

/// Vendor words and codes are read in one place: the adapters under `src/providers/`.
/// Outside it, no code (tests aside) compares a vendor's error code, looks for words in a
/// failure's message, or reads a reply's body; the rest of the program matches on the
/// adapter's typed cause (`Kind`, `Reason`).
#[test]
fn vendor_words_and_codes_are_read_only_in_the_adapters() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = vendor_reads(&read_tree(&src));
    assert!(
        found.is_empty(),
        "vendor words or codes read outside src/providers/:\n  {}",
        found.join("\n  ")
    );
}

/// A command computes a value and one place prints it: no pipeline step in `app/` takes
/// the report to fill in behind its caller's back (`&mut Report` as a parameter).
#[test]
fn no_step_fills_a_shared_report() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for (module, text) in read_tree(&src) {
        if module.first().map(String::as_str) != Some("app") {
            continue;
        }
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in code.lines().enumerate() {
            let squeezed: String = line.split_whitespace().collect();
            if squeezed.contains(":&mutReport") || squeezed.contains(":&mutoutput::Report") {
                found.push(format!("{}.rs:{}", module.join("/"), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "pipeline steps that fill a shared report:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn the_vendor_read_check_sees_what_it_forbids() {
    let files = tree(&[
        (
            "app/fallback.rs",
            "fn f(x: &Failure) -> bool { x.provider_code.as_deref() == Some(\"21408\") }",
        ),
        (
            "app/send.rs",
            "fn g(f: &Failure) -> bool { f.message.to_ascii_lowercase().contains(\"sender\") }",
        ),
        ("app/ok.rs", "fn h(f: &Failure) -> Kind { f.kind }\n#[cfg(test)]\nmod tests { fn t(f: &Failure) { assert!(f.message.contains(\"x\")); } }"),
        ("providers/termii.rs", "fn k(v: &Value) -> bool { text_at(v, \"code\").as_deref() == Some(\"404\") }"),
    ]);
    let found = vendor_reads(&files);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("app/fallback.rs"), "{found:?}");
}

/// Where a non-test line outside `providers/` reads vendor words or codes.
fn vendor_reads(files: &BTreeMap<Module, String>) -> Vec<String> {
    // What reading vendor text or codes looks like: comparing a provider code, searching
    // a failure's message (or a lower-cased copy of it), splitting off the tool's own
    // "): " prefix to reach the vendor's words, or parsing a reply body.
    const FORBIDDEN: &[&str] = &[
        "provider_code.as_deref()",
        "provider_code ==",
        "provider_code.as_ref()",
        ".message.contains(",
        ".message.to_ascii_lowercase()",
        ".message.to_lowercase()",
        "split_once(\"): \")",
        "vendor_message(",
        "text_at(",
    ];
    let mut found = Vec::new();
    for (module, text) in files {
        // The adapters, and files that are test modules as a whole.
        let test_file = module
            .last()
            .is_some_and(|m| m == "tests" || m == "proptests");
        if module.first().map(String::as_str) == Some("providers") || test_file {
            continue;
        }
        // Unit tests sit at the end of each file, behind `#[cfg(test)]`.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or("");
            if let Some(p) = FORBIDDEN.iter().find(|p| line.contains(*p)) {
                found.push(format!("{}.rs:{}: {p}", module.join("/"), n + 1));
            }
        }
    }
    found
}

#[test]
fn the_reader_sees_every_form_of_import_and_ignores_the_rest() {
    let files = tree(&[
        (
            "a.rs",
            "use crate::b::{self, X};\nconst S: &str = \"crate::d::y\"; // crate::d\n/* crate::d */",
        ),
        (
            "b/mod.rs",
            "mod c;\npub use c::Y;\nfn f() { crate::a::g(); let r = r#\"crate::d\"#; }",
        ),
        (
            "b/c.rs",
            "use super::super::d::Z; fn g<'a>(x: &'a str) -> [char; 2] { ['{', '\\''] }",
        ),
        ("d.rs", "use crate::{e::{self}, b::c::Q};"),
        (
            "e.rs",
            "#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::d::W;\n}",
        ),
    ]);
    let edges = edges(&files);
    let names = |m: &str| edges.get(&module(m)).cloned().unwrap_or_default();
    assert_eq!(names("a"), BTreeSet::from([module("b")]));
    assert_eq!(names("b"), BTreeSet::from([module("a")]));
    assert_eq!(names("b/c"), BTreeSet::from([module("d")]));
    assert_eq!(names("d"), BTreeSet::from([module("e"), module("b/c")]));
    assert_eq!(names("e"), BTreeSet::from([module("d")]));
    let cycles = cycles(&edges);
    assert_eq!(cycles.len(), 2, "{cycles:?}");
    // A parent naming its own child (the registry naming `termii::INFO`) is no edge.
    let files = tree(&[
        ("p/mod.rs", "static R: &[u8] = &[crate::p::q::N];"),
        ("p/q.rs", "use super::Info;"),
    ]);
    assert!(cycles_of(&files).is_empty());
}

#[test]
fn levels_catch_an_upward_import() {
    let files = tree(&[("error.rs", "use crate::app::run;"), ("app/mod.rs", "")]);
    let edges = edges(&files);
    assert_eq!(upward(&edges), ["error -> app (level 0 imports level 4)"]);
}

fn cycles_of(files: &BTreeMap<Module, String>) -> Vec<Vec<String>> {
    cycles(&edges(files))
}

fn module(path: &str) -> Module {
    path.split('/').map(str::to_string).collect()
}

fn tree(files: &[(&str, &str)]) -> BTreeMap<Module, String> {
    files
        .iter()
        .map(|(p, text)| (module_of(Path::new(p)), text.to_string()))
        .collect()
}

/// `a/b.rs` is module a::b, `a/mod.rs` is a, `main.rs` is the crate root.
fn module_of(rel: &Path) -> Module {
    let mut parts: Module = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "main" | "lib")
    ) {
        parts.pop();
    }
    parts
}

fn read_tree(root: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under src/");
                let text = std::fs::read_to_string(&path).expect("a source file");
                out.insert(module_of(rel), text);
            }
        }
    }
    out
}

/// The file each import of each file names, by the longest module prefix that is a file.
fn edges(files: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut edges = BTreeMap::new();
    for (file, text) in files {
        let mut to = BTreeSet::new();
        for path in paths(file, &tokens(text)) {
            let Some(target) = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| files.contains_key(p))
            else {
                continue;
            };
            // Its own items, and a parent naming its child, are not imports.
            if !target.starts_with(file) {
                to.insert(target);
            }
        }
        edges.insert(file.clone(), to);
    }
    edges
}

#[derive(Debug, PartialEq)]
enum Tok {
    Ident(String),
    Path, // ::
    Punct(char),
}

/// Identifiers, `::` and punctuation, with comments, strings and char literals removed.
fn tokens(text: &str) -> Vec<Tok> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        match c[i] {
            '/' if next == Some('/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut depth = 0;
                while i < c.len() {
                    if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            'r' if matches!(next, Some('#' | '"')) && !ident_before(&c, i) => {
                let mut j = i + 1;
                let mut hashes = 0;
                while c.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if c.get(j) != Some(&'"') {
                    out.push(Tok::Ident("r".into()));
                    i += 1;
                    continue;
                }
                j += 1;
                loop {
                    if j >= c.len() {
                        break;
                    }
                    if c[j] == '"' && (0..hashes).all(|h| c.get(j + 1 + h) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                i = j;
            }
            '"' => {
                i += 1;
                while i < c.len() && c[i] != '"' {
                    if c[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            '\'' => {
                // 'x' and '\n' are chars; 'a (no closing quote after one char) a lifetime.
                if next == Some('\\') {
                    i += 3; // the quote, the backslash and the escaped character
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if c.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            ':' if next == Some(':') => {
                out.push(Tok::Path);
                i += 2;
            }
            ch if ch.is_alphanumeric() || ch == '_' => {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Ident(c[start..i].iter().collect()));
            }
            ch if ch.is_whitespace() => i += 1,
            ch => {
                out.push(Tok::Punct(ch));
                i += 1;
            }
        }
    }
    out
}

fn ident_before(c: &[char], i: usize) -> bool {
    i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_')
}

/// Every full module path a `crate::`/`super::` path in the file names, `use` groups
/// expanded. Inline `mod x { … }` blocks move `super` along with them.
fn paths(file: &Module, toks: &[Tok]) -> Vec<Module> {
    let mut out = Vec::new();
    // The module each open brace belongs to: the file's own, or an inline `mod x {`.
    let mut scopes: Vec<Option<Module>> = Vec::new();
    let here = |scopes: &[Option<Module>]| {
        scopes
            .iter()
            .rev()
            .find_map(|s| s.clone())
            .unwrap_or_else(|| file.clone())
    };
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Ident(m) if m == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Punct('{'))) =
                    (toks.get(i + 1), toks.get(i + 2))
                {
                    let mut inner = here(&scopes);
                    inner.push(name.clone());
                    scopes.push(Some(inner));
                    i += 3;
                    continue;
                }
                i += 1;
            }
            Tok::Punct('{') => {
                scopes.push(None);
                i += 1;
            }
            Tok::Punct('}') => {
                scopes.pop();
                i += 1;
            }
            Tok::Ident(root)
                if (root == "crate" || root == "super") && toks.get(i + 1) == Some(&Tok::Path) =>
            {
                // A path segment after `::` (`foo::crate` cannot be written).
                if i > 0 && toks[i - 1] == Tok::Path {
                    i += 1;
                    continue;
                }
                let base = if root == "crate" {
                    Vec::new()
                } else {
                    let mut m = here(&scopes);
                    m.pop();
                    m
                };
                i = tree_paths(toks, i + 2, base, &mut out);
            }
            _ => i += 1,
        }
    }
    out
}

/// Read a path (tree) starting at `i` whose prefix is `base`: `a::b`, `super::x`,
/// `a::{b, c::{d, self}}`. Returns the index after it.
fn tree_paths(toks: &[Tok], mut i: usize, mut base: Module, out: &mut Vec<Module>) -> usize {
    loop {
        match toks.get(i) {
            Some(Tok::Ident(s)) if s == "super" => {
                base.pop();
                i += 1;
            }
            Some(Tok::Ident(s)) if s == "self" => i += 1,
            Some(Tok::Ident(s)) => {
                base.push(s.clone());
                i += 1;
            }
            Some(Tok::Punct('{')) => {
                i += 1;
                loop {
                    match toks.get(i) {
                        Some(Tok::Punct('}')) => return i + 1,
                        Some(Tok::Punct(',')) => i += 1,
                        Some(Tok::Ident(s)) if s == "as" => i += 2,
                        None => return i,
                        _ => i = tree_paths(toks, i, base.clone(), out),
                    }
                }
            }
            _ => {
                out.push(base);
                return i;
            }
        }
        if toks.get(i) == Some(&Tok::Path) {
            i += 1;
        } else {
            out.push(base);
            return i;
        }
    }
}

/// Each strongly connected set of more than one file (files that import each other,
/// directly or through others).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    let name = |m: &Module| {
        if m.is_empty() {
            "main".to_string()
        } else {
            m.join("/")
        }
    };
    let reach = |from: &Module| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for n in edges.get(&m).into_iter().flatten() {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&Module, BTreeSet<Module>> =
        edges.keys().map(|m| (m, reach(m))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for m in edges.keys() {
        if done.contains(m) || !reachable[m].contains(m) {
            continue;
        }
        let group: Vec<&Module> = edges
            .keys()
            .filter(|n| reachable[m].contains(*n) && reachable[*n].contains(m))
            .collect();
        for n in &group {
            done.insert((*n).clone());
        }
        out.push(group.into_iter().map(name).collect());
    }
    out
}

/// Edges from a top-level module to one of a higher level.
fn upward(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let level = |m: &Module| {
        let top = m.first()?;
        LEVELS.iter().find(|(n, _)| n == top).map(|(n, l)| (*n, *l))
    };
    let mut out = Vec::new();
    for (from, tos) in edges {
        for to in tos {
            if let (Some((a, la)), Some((b, lb))) = (level(from), level(to)) {
                if a != b && lb > la {
                    out.push(format!("{a} -> {b} (level {la} imports level {lb})"));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
