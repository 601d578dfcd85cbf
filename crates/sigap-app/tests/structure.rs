//! The shape of the code (ARCHITECTURE.md, "Structure checks"): no module cycle inside
//! `sigap-app`, neither between its areas nor between the modules of one; no source file
//! over 600 lines and no function over 80 lines anywhere in the workspace. A file allowed
//! to stay long for a while is listed below, never silently, and the list only shrinks.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most lines a source file may have, its inline tests left out.
const MAX_LINES: usize = 600;

/// The most lines a function may have, from its signature to its closing brace.
const MAX_FUNCTION_LINES: usize = 80;

/// The areas of `sigap-app`: folders of use cases by SOP area. The check sees each module
/// of an area (`workflow::actions`) and each shared module (`audit`) as one node; neither
/// the modules nor the areas they make may stand in a cycle.
const AREAS: &[&str] = &[
    "admin",
    "documents",
    "exports",
    "identity",
    "inbox",
    "intake",
    "law",
    "outbox",
    "stats",
    "workflow",
];

/// Folders that are one shared module, not an area: the evidence files with the removal of
/// their metadata.
const SHARED_FOLDERS: &[&str] = &["evidence"];

/// The source files still over [`MAX_LINES`] (their inline tests left out).
const LONG_LEFT: &[&str] = &[];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's text without its inline test items (each `#[cfg(test)]` item up to its closing
/// brace, wherever it stands).
fn without_tests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let Some(open) = item.find('{') else {
            return out;
        };
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// A file's text without its inline tests and without comments.
fn code_of(text: &str) -> String {
    without_tests(text)
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a `crate::` reference names, as their segments: `crate::a::b` gives `[a, b]`,
/// `crate::{a::b, c::{d, e}}` gives `[a, b]`, `[c, d]` and `[c, e]`.
fn crate_references(code: &str) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        expand(&[], rest, &mut found);
    }
    found.retain(|path| !path.is_empty() && !path[0].is_empty());
    found
}

/// Code without its re-exports (`pub use …;`, `pub(crate) use …;`): an area's `mod.rs`
/// offers its modules' items under the area's name, which is no dependency of its own.
fn without_reexports(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    loop {
        let next = ["pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        let Some(at) = next else { break };
        out.push_str(&rest[..at]);
        rest = match rest[at..].find(';') {
            Some(end) => &rest[at + end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The paths a `super::` reference names, from the crate's root: in `workflow::blocking`,
/// `super::deadlines::x` is `[workflow, deadlines, x]`.
fn super_references(code: &str, module: &[String]) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("super::") {
        let before = rest[..at].chars().last();
        rest = &rest[at..];
        let mut base = module.to_vec();
        while let Some(next) = rest.strip_prefix("super::") {
            base.pop();
            rest = next;
        }
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        expand(&base, rest, &mut found);
    }
    found
}

/// Adds the paths of one use tree that starts at `text`, each after `prefix`.
fn expand(prefix: &[String], text: &str, found: &mut BTreeSet<Vec<String>>) {
    let mut path = prefix.to_vec();
    let mut rest = text.trim_start();
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            for item in group_items(group) {
                expand(&path, &item, found);
            }
            return;
        }
        let segment = first_segment(rest);
        if segment.is_empty() {
            break;
        }
        rest = &rest[segment.len()..];
        path.push(segment);
        match rest.strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    found.insert(path);
}

/// The items of a `{ .. }` group whose text starts after the opening brace.
fn group_items(group: &str) -> Vec<String> {
    let mut depth = 0usize;
    let mut item = String::new();
    let mut items = Vec::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    items.push(item);
    items.retain(|i| !i.trim().is_empty());
    items
}

fn first_segment(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The module a file is, as segments from the crate's root: `workflow/actions/write.rs`
/// is `[workflow, actions, write]`, `workflow/mod.rs` is `[workflow]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap();
    let mut segments: Vec<String> = relative
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect();
    if segments.last().is_some_and(|s| s == "mod" || s == "lib") {
        segments.pop();
    }
    segments
}

/// What the cycle check sees of a module: its area and, inside an area, the module of the
/// area it belongs to (`[workflow, actions, write]` is `workflow::actions`); a shared
/// module by its name. An area's own `mod.rs` is the area itself.
fn node_of(path: &[String], areas: &BTreeSet<String>) -> Option<String> {
    let first = path.first()?;
    if areas.contains(first) {
        match path.get(1) {
            Some(second) => Some(format!("{first}::{second}")),
            None => Some(first.clone()),
        }
    } else {
        Some(first.clone())
    }
}

/// The modules of `sigap-app` (areas' modules as `area::module`, shared modules by name)
/// and the others each one names, and the areas: the folders with modules in them.
fn module_graph() -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let src = workspace().join("crates/sigap-app/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let areas: BTreeSet<String> = AREAS.iter().map(|a| (*a).to_owned()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(from) = node_of(&module_of(&src, file), &areas) else {
            continue;
        };
        graph.entry(from).or_default();
    }
    for file in &files {
        let Some(from) = node_of(&module_of(&src, file), &areas) else {
            continue;
        };
        let code = without_reexports(&code_of(&std::fs::read_to_string(file).unwrap()));
        let module = module_of(&src, file);
        for path in crate_references(&code)
            .into_iter()
            .chain(super_references(&code, &module))
        {
            let Some(to) = node_of(&path, &areas) else {
                continue;
            };
            // An item of an area's own `mod.rs` (`crate::documents::issue_one`) is the area.
            let to = match (graph.contains_key(&to), to.split_once("::")) {
                (true, _) => to,
                (false, Some((area, _))) => area.to_owned(),
                (false, None) => continue,
            };
            if to != from {
                graph.get_mut(&from).unwrap().insert(to);
            }
        }
    }
    (graph, areas)
}

/// The graph between areas and shared modules: a module of an area stands for its area.
fn area_graph(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let area = |node: &String| node.split("::").next().unwrap().to_owned();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in graph {
        let entry = out.entry(area(from)).or_default();
        for to in tos {
            if area(to) != area(from) {
                entry.insert(area(to));
            }
        }
    }
    out
}

/// The modules that stand in a cycle: those that reach themselves.
fn in_cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let reach = |start: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = graph[start].iter().collect();
        while let Some(next) = todo.pop() {
            if seen.insert(next.clone()) {
                todo.extend(graph[next].iter());
            }
        }
        seen
    };
    graph
        .keys()
        .filter(|m| reach(m).contains(*m))
        .cloned()
        .collect()
}

#[test]
fn the_reference_reader_sees_paths_and_groups() {
    let code = code_of(
        "use crate::{App, auth::Caller, views::{A, B}};\n\
         let x = crate::outbox::notify::enqueue(); // crate::hidden\n\
         use crate::workflow::{actions::{self, apply}, blocking};\n\
         #[cfg(test)]\nmod tests { fn f() { crate::demo::x(); } }\n\
         fn after() { crate::outbox::jobs::run(); }",
    );
    let areas: BTreeSet<String> = ["outbox", "workflow"].map(String::from).into();
    let found: BTreeSet<String> = crate_references(&code)
        .iter()
        .filter_map(|path| node_of(path, &areas))
        .collect();
    let expected: BTreeSet<String> = [
        "App",
        "auth",
        "outbox::jobs",
        "outbox::notify",
        "views",
        "workflow::actions",
        "workflow::blocking",
    ]
    .map(String::from)
    .into();
    assert_eq!(found, expected);
    let module = ["workflow", "blocking"].map(String::from);
    let up: BTreeSet<String> =
        super_references("use super::deadlines::x; super::super::App", &module)
            .iter()
            .filter_map(|path| node_of(path, &areas))
            .collect();
    assert_eq!(up, ["App", "workflow::deadlines"].map(String::from).into());
}

/// A line without its comment and the text of its string literals (so that a brace in
/// either is not counted).
fn braces_of(line: &str) -> (usize, usize) {
    let mut open = 0;
    let mut close = 0;
    let mut in_string = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (in_string, c) {
            (true, '\\') => {
                chars.next();
            }
            (true, '"') => in_string = false,
            (true, _) => {}
            (false, '"') => in_string = true,
            (false, '\'') => {
                // A char literal such as '{' or '\''; a lifetime has no closing quote.
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("\\") {
                    chars.nth(2);
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.nth(1);
                }
            }
            (false, '/') if chars.peek() == Some(&'/') => break,
            (false, '{') => open += 1,
            (false, '}') => close += 1,
            (false, _) => {}
        }
    }
    (open, close)
}

/// The functions of `code` longer than `max` lines: their name, first line and length.
fn long_functions(code: &str, max: usize) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| *w == "fn") else {
            continue;
        };
        let before_ok = words[..at]
            .iter()
            .all(|w| matches!(*w, "pub" | "async" | "const" | "unsafe") || w.starts_with("pub("));
        if !before_ok || at + 1 >= words.len() {
            continue;
        }
        let name: String = words[at + 1]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut depth = 0usize;
        let mut opened = false;
        for (i, body) in lines[start..].iter().enumerate() {
            let (open, close) = braces_of(body);
            if !opened && open == 0 && body.trim_end().ends_with(';') {
                break;
            }
            opened |= open > 0;
            depth = (depth + open).saturating_sub(close);
            if opened && depth == 0 {
                if i + 1 > max {
                    found.push((name.clone(), start + 1, i + 1));
                }
                break;
            }
        }
    }
    found
}

#[test]
fn the_function_reader_measures_bodies_and_skips_braces_in_text() {
    let code = "pub(crate) async fn short() {\n    let s = \"}}}\"; // }\n    let c = '}';\n}\n\
                fn long() -> u8 {\n    if true {\n        1\n    } else {\n        2\n    }\n}\n\
                fn declared(x: u8) -> u8;\n";
    assert!(long_functions(code, 7).is_empty());
    assert_eq!(long_functions(code, 6), [("long".to_owned(), 5, 7)]);
    assert_eq!(
        long_functions(code, 3),
        [("short".to_owned(), 1, 4), ("long".to_owned(), 5, 7)]
    );
}

#[test]
fn no_function_over_80_lines() {
    let root = workspace();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    let mut long = Vec::new();
    let mut read = 0;
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if !relative.contains("/src/") || relative.ends_with("/tests.rs") {
            continue;
        }
        read += 1;
        let code = without_tests(&std::fs::read_to_string(&file).unwrap());
        for (name, line, length) in long_functions(&code, MAX_FUNCTION_LINES) {
            long.push(format!("{relative}:{line} `{name}` ({length} lines)"));
        }
    }
    assert!(read > 100, "the sources were read: {read}");
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (split them): {long:#?}"
    );
}

#[test]
fn a_reexport_is_no_dependency() {
    let code = "pub use crate::outbox::jobs::{A,\n B};\npub(crate) use crate::workflow::x;\nuse crate::audit;";
    let found: Vec<Vec<String>> = crate_references(&without_reexports(code))
        .into_iter()
        .collect();
    assert_eq!(found, [vec!["audit".to_owned()]]);
}

#[test]
fn the_areas_are_the_folders_of_modules() {
    let src = workspace().join("crates/sigap-app/src");
    let folders: BTreeSet<String> = std::fs::read_dir(&src)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = AREAS
        .iter()
        .chain(SHARED_FOLDERS)
        .map(|a| (*a).to_owned())
        .collect();
    assert_eq!(
        folders, listed,
        "a new folder is an area (AREAS) or shared (SHARED_FOLDERS)"
    );
}

#[test]
fn no_module_cycle_in_the_application() {
    let (graph, areas) = module_graph();
    assert!(graph.len() > 30, "the modules were read: {graph:?}");
    assert!(
        areas
            .iter()
            .all(|a| graph.keys().any(|m| m.starts_with(&format!("{a}::")))),
        "every area has modules: {graph:?}"
    );
    let cycle = in_cycles(&graph);
    assert!(
        cycle.is_empty(),
        "modules in a cycle: {cycle:?}; what each names: {graph:#?}"
    );
    let between = area_graph(&graph);
    let cycle = in_cycles(&between);
    assert!(
        cycle.is_empty(),
        "areas in a cycle: {cycle:?}; what each names: {between:#?}"
    );
}

#[test]
fn no_new_source_file_over_600_lines() {
    let root = workspace();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("fuzz"), &mut files);
    let long: BTreeSet<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|f| f.contains("/src/") && !f.ends_with("/tests.rs"))
        .filter(|f| {
            let text = std::fs::read_to_string(root.join(f)).unwrap();
            without_tests(&text).lines().count() > MAX_LINES
        })
        .collect();
    assert!(long.len() < files.len(), "the files were read");
    let listed: BTreeSet<String> = LONG_LEFT.iter().map(|f| (*f).to_owned()).collect();
    let new: Vec<&String> = long.difference(&listed).collect();
    let gone: Vec<&String> = listed.difference(&long).collect();
    assert!(new.is_empty(), "files over {MAX_LINES} lines: {new:?}");
    assert!(
        gone.is_empty(),
        "now within {MAX_LINES} lines, take them off LONG_LEFT: {gone:?}"
    );
}
