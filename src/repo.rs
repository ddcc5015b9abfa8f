//! Which repository an event is about: `--repo`, the CI environment, or git's `origin`.

use std::path::{Path, PathBuf};

/// CI variables that name the repository, in the order they are tried.
pub const CI_VARIABLES: [&str; 4] = [
    "GITHUB_REPOSITORY",
    "CI_PROJECT_PATH",
    "BITBUCKET_REPO_FULL_NAME",
    "BUILD_REPOSITORY_NAME",
];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RepoError {
    #[error("--repo `{0}`: expected OWNER/NAME, e.g. --repo myorg/backend-api")]
    Invalid(String),
    #[error("cannot tell which repository this is: pass --repo OWNER/NAME, or set GITHUB_REPOSITORY (or CI_PROJECT_PATH), or run inside a git checkout with an `origin` remote")]
    NotFound,
}

/// Finds the repository name from the flag, then the environment, then git.
pub fn detect(
    flag: Option<&str>,
    environment: &dyn Fn(&str) -> Option<String>,
    current_dir: &Path,
) -> Result<String, RepoError> {
    if let Some(name) = flag {
        return validate(name);
    }
    for variable in CI_VARIABLES {
        if let Some(value) = environment(variable).filter(|value| !value.trim().is_empty()) {
            return Ok(value.trim().to_string());
        }
    }
    let ceilings: Vec<std::path::PathBuf> = environment("GIT_CEILING_DIRECTORIES")
        .map(|list| {
            std::env::split_paths(&list)
                .filter(|path| path.is_absolute())
                .collect()
        })
        .unwrap_or_default();
    origin_of(current_dir, &ceilings)
        .and_then(|url| name_from_remote(&url))
        .ok_or(RepoError::NotFound)
}

/// `--repo OWNER/NAME` as given on the command line (trimmed), or why it is not one.
pub fn validate(name: &str) -> Result<String, RepoError> {
    let trimmed = name.trim();
    let segments: Vec<&str> = trimmed.split('/').collect();
    let valid = segments.len() >= 2
        && segments.iter().all(|segment| {
            !segment.is_empty() && !segment.chars().any(|c| c.is_whitespace() || c.is_control())
        });
    if valid {
        Ok(trimmed.to_string())
    } else {
        Err(RepoError::Invalid(name.to_string()))
    }
}

/// Reads `remote.origin.url` straight from the git config, so no `git` process is started.
fn origin_of(start: &Path, ceilings: &[PathBuf]) -> Option<String> {
    let git_dir = find_git_dir(start, ceilings)?;
    let config = std::fs::read_to_string(git_dir.join("config")).ok()?;
    let mut in_origin = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            let header: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            in_origin = header == "[remote\"origin\"]";
        } else if in_origin {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim().eq_ignore_ascii_case("url") {
                    return Some(value.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    None
}

/// Looks in `start` and its parents, like git, never climbing into a `GIT_CEILING_DIRECTORIES` entry.
fn find_git_dir(start: &Path, ceilings: &[PathBuf]) -> Option<PathBuf> {
    for (index, folder) in start.ancestors().enumerate() {
        if index > 0 && ceilings.iter().any(|ceiling| ceiling == folder) {
            return None;
        }
        let candidate = folder.join(".git");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if candidate.is_file() {
            // A worktree or submodule: `.git` is a file saying `gitdir: PATH`; the shared
            // config sits in the common folder, which `commondir` names when present.
            let text = std::fs::read_to_string(&candidate).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            let git_dir = folder.join(target);
            let common = std::fs::read_to_string(git_dir.join("commondir"))
                .ok()
                .map(|relative| git_dir.join(relative.trim()));
            return Some(common.unwrap_or(git_dir));
        }
    }
    None
}

/// `git@github.com:owner/name.git`, `https://host/owner/name`, `ssh://git@host:22/group/sub/name.git`
/// → `owner/name` (every path segment kept, for GitLab's nested groups).
pub fn name_from_remote(url: &str) -> Option<String> {
    let path = if let Some((_, rest)) = url.split_once("://") {
        rest.split_once('/')?.1.to_string()
    } else if let Some((_, rest)) = url.split_once(':') {
        rest.to_string()
    } else {
        return None;
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    validate(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls() {
        assert_eq!(
            name_from_remote("git@github.com:myorg/api.git").as_deref(),
            Some("myorg/api")
        );
        assert_eq!(
            name_from_remote("https://github.com/myorg/api").as_deref(),
            Some("myorg/api")
        );
        assert_eq!(
            name_from_remote("ssh://git@gitlab.example.com:2222/group/sub/api.git").as_deref(),
            Some("group/sub/api")
        );
        assert_eq!(name_from_remote("https://github.com/justone"), None);
        assert_eq!(name_from_remote("/local/path"), None);
    }

    #[test]
    fn flag_then_environment_then_git() {
        let folder = tempfile::tempdir().unwrap();
        let none = |_: &str| None;
        assert_eq!(detect(Some("a/b"), &none, folder.path()), Ok("a/b".into()));
        assert_eq!(
            detect(Some("nope"), &none, folder.path()),
            Err(RepoError::Invalid("nope".into()))
        );
        let gitlab = |name: &str| (name == "CI_PROJECT_PATH").then(|| "grp/proj".to_string());
        assert_eq!(detect(None, &gitlab, folder.path()), Ok("grp/proj".into()));
        assert_eq!(detect(None, &none, folder.path()), Err(RepoError::NotFound));

        std::fs::create_dir_all(folder.path().join(".git")).unwrap();
        std::fs::write(
            folder.path().join(".git/config"),
            "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = git@x:up/stream.git\n[remote \"origin\"]\n\turl = git@github.com:me/tool.git\n",
        )
        .unwrap();
        let nested = folder.path().join("src/deep");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(detect(None, &none, &nested), Ok("me/tool".into()));

        let top = folder.path().to_string_lossy().into_owned();
        let ceiling = move |name: &str| (name == "GIT_CEILING_DIRECTORIES").then(|| top.clone());
        assert_eq!(detect(None, &ceiling, &nested), Err(RepoError::NotFound));
        assert_eq!(detect(None, &ceiling, folder.path()), Ok("me/tool".into()));
    }
}
