//! Who may read the history file: created private (0600 in a 0700 folder, like the config),
//! and a warning when an existing history or its folder can be read by other users.
//!
//! The history holds webhook names, repositories, masked URLs and message bodies about
//! vulnerabilities: not secrets, but nothing other users of a shared machine need to see.

use std::path::{Path, PathBuf};

/// Creates the folder (and its missing parents) with mode 0700 and the database file with
/// mode 0600 when they do not exist yet. SQLite gives the `-wal` and `-shm` files it creates
/// later the mode of the database file, so the three files end up 0600 whatever the umask.
/// An existing folder or file is left as it is (see [`permission_warnings`]). The error is
/// the folder's; a file that cannot be created is left for SQLite to report in its words.
pub(super) fn create_private(path: &Path) -> Result<(), (PathBuf, std::io::Error)> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        create_private_folder(parent).map_err(|error| (parent.to_path_buf(), error))?;
    }
    // Ignored on purpose: opening the file next fails with the same cause and SQLite's
    // message names the file.
    let _ = create_private_file(path);
    Ok(())
}

#[cfg(unix)]
fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
}

#[cfg(not(unix))]
fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)
}

/// An empty file is an empty SQLite database, so creating it here first only decides its
/// mode. `create_new` keeps a history another process created meanwhile untouched.
#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Elsewhere SQLite creates the file itself; file modes do not decide who reads it.
#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Warnings for an existing history file (or its `-wal`/`-shm`), and for its folder when
/// `check_folder`, that other users may read: the command still runs, as with a readable
/// config.
#[cfg(unix)]
pub fn permission_warnings(path: &Path, check_folder: bool) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let readable_by_others = |candidate: &Path| {
        std::fs::metadata(candidate)
            .ok()
            .map(|metadata| metadata.permissions().mode() & 0o777)
            .filter(|mode| mode & 0o077 != 0)
    };
    let mut warnings = Vec::new();
    if let Some(folder) = path
        .parent()
        .filter(|parent| check_folder && !parent.as_os_str().is_empty())
    {
        if let Some(mode) = readable_by_others(folder) {
            warnings.push(format!(
                "the history folder {} can be read by other users (mode {mode:o}); run `chmod 700 {}`",
                folder.display(),
                folder.display()
            ));
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = Path::new(&name);
        if let Some(mode) = readable_by_others(file) {
            warnings.push(format!(
                "the history {} can be read by other users (mode {mode:o}); run `chmod 600 {}`",
                file.display(),
                file.display()
            ));
        }
    }
    warnings
}

/// Elsewhere file modes do not say who can read the file, so there is nothing to check.
#[cfg(not(unix))]
pub fn permission_warnings(_path: &Path, _check_folder: bool) -> Vec<String> {
    Vec::new()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn creates_folders_0700_and_the_file_0600_and_keeps_an_existing_file() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("a/b/history.db");
        create_private(&path).unwrap();
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        assert_eq!(mode(&path), 0o600);
        assert!(permission_warnings(&path, true).is_empty());

        std::fs::write(&path, b"kept").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_private(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"kept");
        assert_eq!(mode(&path), 0o644);
    }

    #[test]
    fn warns_about_a_readable_file_wal_and_folder() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("data");
        std::fs::create_dir(&folder).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = folder.join("history.db");
        for file in [path.clone(), folder.join("history.db-wal")] {
            std::fs::write(&file, b"").unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let warnings = permission_warnings(&path, true);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].contains("folder") && warnings[0].contains("mode 755"));
        assert!(warnings[1].contains("chmod 600") && warnings[1].ends_with("history.db`"));
        assert!(warnings[2].contains("history.db-wal"));
        // A folder the user chose is not checked; the files still are.
        assert_eq!(permission_warnings(&path, false), warnings[1..]);
    }
}
