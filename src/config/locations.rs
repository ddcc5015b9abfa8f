//! Where the config file lives (flag, `./staxhook.toml`, the XDG folder) and whether the file
//! at that place can be read by other users.

use std::path::{Path, PathBuf};

use super::types::Config;

/// `--config`/`STAXHOOK_CONFIG`, else `./staxhook.toml` when present, else the XDG config file.
pub fn locate(
    flag: Option<&Path>,
    current_dir: &Path,
    environment: &dyn Fn(&str) -> Option<String>,
) -> PathBuf {
    if let Some(path) = flag {
        return path.to_path_buf();
    }
    let local = current_dir.join("staxhook.toml");
    if local.is_file() {
        return local;
    }
    xdg_folder("XDG_CONFIG_HOME", ".config", environment).join("staxhook/config.toml")
}

/// `$VARIABLE` when set and absolute, else `$HOME/fallback` (the XDG rule).
pub fn xdg_folder(
    variable: &str,
    fallback: &str,
    environment: &dyn Fn(&str) -> Option<String>,
) -> PathBuf {
    match environment(variable).filter(|value| Path::new(value).is_absolute()) {
        Some(folder) => PathBuf::from(folder),
        None => PathBuf::from(environment("HOME").unwrap_or_else(|| ".".into())).join(fallback),
    }
}

/// A warning when the file holds a secret written out in it and other users may read it: the
/// command still runs, but the user should know the secret is exposed.
#[cfg(unix)]
pub(super) fn permission_warning(path: &Path, config: &Config) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    let literal = config
        .webhooks
        .iter()
        .any(|webhook| webhook.holds_literal_secret());
    (literal && mode & 0o077 != 0).then(|| {
        format!(
            "{} holds secrets and can be read by other users (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

/// Elsewhere file modes do not say who can read the file, so there is nothing to check.
#[cfg(not(unix))]
pub(super) fn permission_warning(_path: &Path, _config: &Config) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_prefers_flag_then_local_then_xdg() {
        let folder = tempfile::tempdir().unwrap();
        let environment = |name: &str| match name {
            "HOME" => Some("/home/u".to_string()),
            _ => None,
        };
        assert_eq!(
            locate(None, folder.path(), &environment),
            PathBuf::from("/home/u/.config/staxhook/config.toml")
        );
        std::fs::write(folder.path().join("staxhook.toml"), "").unwrap();
        assert_eq!(
            locate(None, folder.path(), &environment),
            folder.path().join("staxhook.toml")
        );
        assert_eq!(
            locate(Some(Path::new("/x.toml")), folder.path(), &environment),
            PathBuf::from("/x.toml")
        );
    }
}
