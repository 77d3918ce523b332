//! The modules import without a cycle (the layering in `lib.rs`): read from
//! the sources, so a new import that closes a loop fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its non-test code names
/// through `super::` or `crate::`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let module = |path: &Path| {
        let rel = path.strip_prefix(&src).unwrap();
        let first = rel.iter().next().unwrap().to_string_lossy().to_string();
        first.trim_end_matches(".rs").to_string()
    };
    let tops: BTreeSet<String> = files.iter().map(|p| module(p)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let name = module(path);
        let test_file = path
            .file_stem()
            .is_some_and(|s| s.to_string_lossy().ends_with("tests"));
        if name == "lib" || test_file {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let named = graph.entry(name.clone()).or_default();
        for prefix in ["super::", "crate::"] {
            for (at, _) in code.match_indices(prefix) {
                let rest = &code[at + prefix.len()..];
                let target: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if target != name && tops.contains(&target) && target != "lib" {
                    named.insert(target);
                }
            }
        }
    }
    graph
}

/// A path of modules that leads back to its start, if any.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            return Some(
                path[at..]
                    .iter()
                    .cloned()
                    .chain([node.to_string()])
                    .collect(),
            );
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_modules_import_without_a_cycle() {
    let graph = imports();
    assert!(graph["decide"].contains("command"), "the sources were read");
    assert_eq!(cycle(&graph), None, "{graph:#?}");
}

#[test]
fn the_bottom_names_nothing_and_commands_build_no_events() {
    let graph = imports();
    assert_eq!(graph["error"], BTreeSet::new());
    assert!(
        !graph["command"].contains("event"),
        "{:?}",
        graph["command"]
    );
    let mut looped = graph.clone();
    looped.get_mut("error").unwrap().insert("decide".into());
    assert!(
        cycle(&looped).is_some(),
        "a loop is found when there is one"
    );
}
