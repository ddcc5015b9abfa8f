//! Changing the config file without losing the user's comments or layout, written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use toml_edit::{value, Array, DocumentMut, InlineTable, Item, Table, TableLike};

use super::Config;

/// One `webhook add`'s worth of keys, in the order they are written.
#[derive(Debug, Default)]
pub struct NewWebhook {
    pub channel: String,
    pub url: Option<String>,
    pub events: Vec<String>,
    pub secret: Option<String>,
    pub routing_key: Option<String>,
    pub headers: Vec<(String, String)>,
    pub allow_insecure: bool,
}

/// The config document being edited; `save` validates the result before writing it.
///
/// Holds an exclusive lock on a lock file beside the config from `open` until it is dropped,
/// so two commands editing one config at once take turns instead of one silently undoing
/// the other's change.
pub struct ConfigEditor {
    path: PathBuf,
    document: DocumentMut,
    _lock: std::fs::File,
}

impl ConfigEditor {
    /// Opens the file for editing; a missing file starts an empty document.
    pub fn open(path: &Path) -> anyhow::Result<ConfigEditor> {
        let lock =
            lock_beside(path).with_context(|| format!("locking config {}", path.display()))?;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(error).with_context(|| format!("config {}", path.display())),
        };
        let document = text
            .parse::<DocumentMut>()
            .with_context(|| format!("config {}", path.display()))?;
        Ok(ConfigEditor {
            path: path.to_path_buf(),
            document,
            _lock: lock,
        })
    }

    fn webhooks_mut(&mut self) -> anyhow::Result<&mut Table> {
        let item = self.document.entry("webhooks").or_insert_with(|| {
            let mut table = Table::new();
            // Implicit, so the file gets `[webhooks.NAME]` headers and no empty `[webhooks]`.
            table.set_implicit(true);
            Item::Table(table)
        });
        match item.as_table_mut() {
            Some(table) => Ok(table),
            None => bail!("{}: `webhooks` is not a table", self.path.display()),
        }
    }

    /// The webhook's table, whether written `[webhooks.NAME]` or as an inline table.
    fn webhook_mut(&mut self, name: &str) -> Option<&mut dyn TableLike> {
        self.document
            .get_mut("webhooks")?
            .as_table_like_mut()?
            .get_mut(name)?
            .as_table_like_mut()
    }

    pub fn add_webhook(&mut self, name: &str, webhook: &NewWebhook) -> anyhow::Result<()> {
        let webhooks = self.webhooks_mut()?;
        if webhooks.contains_key(name) {
            bail!("webhook `{name}` already exists (remove it first with `staxhook webhook rm {name}`)");
        }
        let mut table = Table::new();
        table.insert("channel", value(webhook.channel.as_str()));
        if let Some(url) = &webhook.url {
            table.insert("url", value(url.as_str()));
        }
        if !webhook.events.is_empty() {
            let events: Array = webhook.events.iter().map(String::as_str).collect();
            table.insert("events", value(events));
        }
        if let Some(secret) = &webhook.secret {
            table.insert("secret", value(secret.as_str()));
        }
        if let Some(routing_key) = &webhook.routing_key {
            table.insert("routing_key", value(routing_key.as_str()));
        }
        if !webhook.headers.is_empty() {
            let mut headers = InlineTable::new();
            for (header, header_value) in &webhook.headers {
                headers.insert(header, header_value.as_str().into());
            }
            table.insert("headers", value(headers));
        }
        if webhook.allow_insecure {
            table.insert("allow_insecure", value(true));
        }
        table.insert("enabled", value(true));
        webhooks.insert(name, Item::Table(table));
        Ok(())
    }

    /// Removes the webhook's table; false when there was none.
    pub fn remove_webhook(&mut self, name: &str) -> bool {
        self.document
            .get_mut("webhooks")
            .and_then(Item::as_table_like_mut)
            .and_then(|webhooks| webhooks.remove(name))
            .is_some()
    }

    /// Sets `enabled`, keeping any comment on its line; false when the webhook is not there.
    pub fn set_enabled(&mut self, name: &str, enabled: bool) -> bool {
        let Some(table) = self.webhook_mut(name) else {
            return false;
        };
        match table.get_mut("enabled").and_then(Item::as_value_mut) {
            Some(current) => {
                let decor = current.decor().clone();
                *current = enabled.into();
                *current.decor_mut() = decor;
            }
            None => {
                table.insert("enabled", value(enabled));
            }
        }
        true
    }

    /// Replaces the secret (keeping the comment on its line); the old one, when given, keeps
    /// signing until `until`. Without it any earlier rotation's leftovers are removed.
    pub fn rotate_secret(
        &mut self,
        name: &str,
        secret: &str,
        previous: Option<(&str, jiff::Timestamp)>,
    ) -> bool {
        let Some(table) = self.webhook_mut(name) else {
            return false;
        };
        set_keeping_decor(table, "secret", secret);
        match previous {
            Some((old, until)) => {
                set_keeping_decor(table, "previous_secret", old);
                let until = until.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
                set_keeping_decor(table, "previous_secret_expires", &until);
            }
            None => {
                table.remove("previous_secret");
                table.remove("previous_secret_expires");
            }
        }
        true
    }

    /// The edited text, checked to load as a valid config before anything is written.
    pub fn save(&self, environment: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        let text = self.document.to_string();
        Config::parse(&self.path, &text, environment)
            .context("refusing to write a config that would not load")?;
        write_atomically(&self.path, text.as_bytes())
            .with_context(|| format!("writing config {}", self.path.display()))
    }
}

/// Takes the exclusive lock on `.NAME.lock` next to the config (creating the folder and the
/// lock file as needed); released when the returned file is dropped.
fn lock_beside(path: &Path) -> std::io::Result<std::fs::File> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&folder)?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".into());
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(folder.join(format!(".{name}.lock")))?;
    file.lock()?;
    Ok(file)
}

fn set_keeping_decor(table: &mut dyn TableLike, key: &str, text: &str) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(current) => {
            let decor = current.decor().clone();
            *current = text.into();
            *current.decor_mut() = decor;
        }
        None => {
            table.insert(key, value(text));
        }
    }
}

/// Writes a temporary file in the same folder with mode 0600, syncs it, then renames it over
/// the target: a crash leaves either the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&folder)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".staxhook-config-")
        .suffix(".tmp")
        .tempfile_in(&folder)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temporary
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    // Make the rename itself durable.
    if let Ok(directory) = std::fs::File::open(&folder) {
        let _ = directory.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_environment(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn edits_keep_comments_and_order() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("config.toml");
        let original = "# my hooks\n[defaults]\ntimeout = \"5s\" # short\n\n[webhooks.first]\nurl = \"https://a.example/\" # keep me\n";
        std::fs::write(&path, original).unwrap();

        let mut editor = ConfigEditor::open(&path).unwrap();
        let webhook = NewWebhook {
            channel: "generic".into(),
            url: Some("https://b.example/hook".into()),
            events: vec!["kev_found".into()],
            secret: Some("${SECRET}".into()),
            headers: vec![("X-Team".into(), "appsec".into())],
            ..NewWebhook::default()
        };
        editor.add_webhook("second", &webhook).unwrap();
        assert!(editor.set_enabled("first", false));
        editor.save(&no_environment).unwrap();
        // The lock is held until the editor goes; a second editor would wait for it.
        drop(editor);

        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# my hooks\n[defaults]\ntimeout = \"5s\" # short\n"),
            "{text}"
        );
        assert!(
            text.contains("url = \"https://a.example/\" # keep me\nenabled = false\n"),
            "{text}"
        );
        assert!(text.ends_with(
            "[webhooks.second]\nchannel = \"generic\"\nurl = \"https://b.example/hook\"\nevents = [\"kev_found\"]\nsecret = \"${SECRET}\"\nheaders = { X-Team = \"appsec\" }\nenabled = true\n"
        ), "{text}");

        let mut editor = ConfigEditor::open(&path).unwrap();
        assert!(editor.add_webhook("first", &webhook).is_err());
        assert!(editor.remove_webhook("second"));
        assert!(!editor.remove_webhook("second"));
        editor.save(&no_environment).unwrap();
        assert!(!std::fs::read_to_string(&path).unwrap().contains("second"));
    }

    #[test]
    fn edits_inline_tables_and_keep_the_enabled_comment() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("config.toml");
        std::fs::write(
            &path,
            "[webhooks]\na = { url = \"https://a.example/\" }\nb = { url = \"https://b.example/\", enabled = true }\n[webhooks.c]\nurl = \"https://c.example/\"\nenabled = true   # ask appsec first\n",
        )
        .unwrap();
        let mut editor = ConfigEditor::open(&path).unwrap();
        assert!(editor.set_enabled("a", false));
        assert!(editor.set_enabled("c", false));
        assert!(editor.remove_webhook("b"));
        editor.save(&no_environment).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "[webhooks]\na = { url = \"https://a.example/\" , enabled = false }\n[webhooks.c]\nurl = \"https://c.example/\"\nenabled = false   # ask appsec first\n"
        );
    }

    #[test]
    fn a_second_editor_waits_for_the_first() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("config.toml");
        let first = ConfigEditor::open(&path).unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        let second_path = path.clone();
        let waiter = std::thread::spawn(move || {
            let second = ConfigEditor::open(&second_path).unwrap();
            sender.send(()).unwrap();
            drop(second);
        });
        assert!(
            receiver
                .recv_timeout(std::time::Duration::from_millis(200))
                .is_err(),
            "the second editor did not wait"
        );
        drop(first);
        assert!(
            receiver
                .recv_timeout(std::time::Duration::from_secs(5))
                .is_ok(),
            "the second editor never got the lock"
        );
        waiter.join().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_private_and_temporaries_are_gone() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("nested/config.toml");
        write_atomically(&path, b"x = 1\n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("config.toml")]);
    }

    #[test]
    fn invalid_results_are_not_written() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("config.toml");
        std::fs::write(&path, "[webhooks.a]\nurl = \"https://a.example/\"\n").unwrap();
        let mut editor = ConfigEditor::open(&path).unwrap();
        let webhook = NewWebhook {
            channel: "generic".into(),
            url: Some("not a url".into()),
            ..NewWebhook::default()
        };
        editor.add_webhook("b", &webhook).unwrap();
        assert!(editor.save(&no_environment).is_err());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[webhooks.a]\nurl = \"https://a.example/\"\n"
        );
    }
}
