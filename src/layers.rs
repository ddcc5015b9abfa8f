//! The layer of every top-level module, and a test that imports only point down: a module
//! may use modules of a lower layer, never one of its own layer or above (docs in
//! ARCHITECTURE.md). Commands never import each other; what two share lives below them.

/// Lowest first. Within a layer, modules are independent of each other.
const LAYERS: &[&[&str]] = &[
    // Leaves: no staxhook imports at all.
    &[
        "duration", "error", "names", "redact", "repo", "signing", "version",
    ],
    // Domain vocabulary.
    &["event", "output", "report"],
    &["envelope", "history", "policy"],
    // Turning input into envelopes; sending one request with retries.
    &["payload", "delivery"],
    // Each service's message format.
    &["channel"],
    // The validated config file.
    &["config"],
    // Keeping a local copy of a published data feed up to date.
    &["download"],
    // A configured webhook made ready to send to; the KEV catalog; the EPSS scores.
    &["target", "kev", "epss"],
    // Turning a report into events; the send pipeline that several commands share.
    &["scan", "dispatch"],
    &["commands"],
    // The command line on top.
    &["cli"],
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use super::LAYERS;

    fn layer_of(module: &str) -> Option<usize> {
        LAYERS.iter().position(|layer| layer.contains(&module))
    }

    fn source_files(folder: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(folder).expect("src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                source_files(&path, found);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                found.push(path);
            }
        }
    }

    /// The top-level module a file belongs to: `src/channel/slack.rs` → `channel`.
    fn module_of(source: &Path, file: &Path) -> String {
        let relative = file.strip_prefix(source).expect("under src");
        let first = relative.components().next().expect("a component");
        let name = first.as_os_str().to_string_lossy();
        name.trim_end_matches(".rs").to_string()
    }

    /// Every `crate::NAME` the code mentions, including `use crate::{a, b::c}` groups;
    /// comments (doc links among them) do not count.
    fn crate_references(text: &str) -> BTreeSet<String> {
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let text = code.as_str();
        let mut found = BTreeSet::new();
        for (index, _) in text.match_indices("crate::") {
            // `staxhook::crate::` does not occur; skip `$crate::` in macros.
            if text[..index].ends_with('$') {
                continue;
            }
            let rest = &text[index + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.insert(name);
            }
        }
        found
    }

    fn all_files() -> (PathBuf, Vec<PathBuf>) {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        source_files(&source, &mut files);
        files.sort();
        (source, files)
    }

    #[test]
    fn every_module_has_a_layer() {
        let (source, files) = all_files();
        for file in &files {
            let module = module_of(&source, file);
            if ["lib", "main", "layers"].contains(&module.as_str()) {
                continue;
            }
            assert!(
                layer_of(&module).is_some(),
                "{module} ({}) is in no layer of src/layers.rs",
                file.display()
            );
        }
    }

    #[test]
    fn imports_point_down() {
        let (source, files) = all_files();
        let mut problems = Vec::new();
        for file in &files {
            let module = module_of(&source, file);
            let Some(own) = layer_of(&module) else {
                continue;
            };
            let text = std::fs::read_to_string(file).expect("readable source");
            for used in crate_references(&text) {
                if used == module {
                    continue;
                }
                match layer_of(&used) {
                    Some(layer) if layer < own => {}
                    Some(_) => problems.push(format!(
                        "{} ({module}) imports {used}, which is not below it",
                        file.display()
                    )),
                    None => problems.push(format!(
                        "{} refers to crate::{used}, which is in no layer",
                        file.display()
                    )),
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn commands_do_not_import_each_other() {
        let (source, files) = all_files();
        let commands = source.join("commands");
        let declared = std::fs::read_to_string(commands.join("mod.rs")).expect("commands/mod.rs");
        let names: Vec<&str> = declared
            .lines()
            .filter_map(|line| line.trim().strip_prefix("pub mod "))
            .filter_map(|rest| rest.strip_suffix(';'))
            .collect();
        assert!(
            names.contains(&"emit") && names.contains(&"log"),
            "{names:?}"
        );
        let mut problems = Vec::new();
        for file in files.iter().filter(|file| file.starts_with(&commands)) {
            let relative = file.strip_prefix(&commands).expect("under commands");
            let own = relative
                .components()
                .next()
                .map(|part| {
                    part.as_os_str()
                        .to_string_lossy()
                        .trim_end_matches(".rs")
                        .to_string()
                })
                .unwrap_or_default();
            // Files directly in commands/ reach their siblings as `super::`; files inside
            // a command folder reach that folder's mod.rs as `super::`.
            let directly_inside = relative.components().count() == 1;
            let text = std::fs::read_to_string(file).expect("readable source");
            for other in names.iter().filter(|name| **name != own) {
                let through_crate = format!("crate::commands::{other}");
                let through_super = format!("super::{other}");
                if text.contains(&through_crate)
                    || (directly_inside && text.contains(&through_super))
                {
                    problems.push(format!("{} imports the {other} command", file.display()));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_reference_scanner_sees_groups_and_paths() {
        let found =
            crate_references("use crate::{event::Event, names};\nlet x = crate::output::X;");
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            ["event", "names", "output"]
        );
    }
}
