//! The TOML config: where it lives, parsing it into validated types, and the errors that
//! point at a file, line and column.
//!
//! The parts depend on each other one way: `raw` (serde's view of the file) and `url_rules`
//! know nothing else here; `types` is what callers use; `validate` turns `raw` into `types`;
//! `locations` finds the file; this module joins them in [`Config::load`]; `edit` changes the
//! file and checks the result through [`Config::parse`].

pub mod edit;
mod locations;
mod raw;
mod template;
mod types;
mod url_rules;
mod validate;

use std::path::Path;

pub use edit::ConfigEditor;
pub use locations::{locate, xdg_folder};
pub use template::{Template, TemplateError};
pub use types::{
    Config, Defaults, Location, SecretSetting, Setting, SlaSettings, WebhookConfig,
    DEFAULT_DIGEST_AFTER, DEFAULT_RETENTION,
};
pub use url_rules::{check_url_syntax, is_loopback};
pub use validate::{validate_header_name, validate_webhook_name, RESERVED_HEADERS};

/// Why a config could not be used: the file could not be read, or a value in it breaks a rule
/// (with the line and column of that value).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Config {
    /// Reads and validates the file; a missing file is an empty config.
    pub fn load(
        path: &Path,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| ConfigError::Unreadable {
                path: path.display().to_string(),
                reason: "is not UTF-8 text".into(),
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Config::parse(path, "", environment).map(|mut config| {
                    config.exists = false;
                    config
                })
            }
            Err(error) => {
                return Err(ConfigError::Unreadable {
                    path: path.display().to_string(),
                    reason: error.to_string(),
                })
            }
        };
        let mut config = Config::parse(path, &text, environment)?;
        if let Some(warning) = locations::permission_warning(path, &config) {
            config.warnings.push(warning);
        }
        Ok(config)
    }

    /// Validates config text; `path` is only used in messages.
    pub fn parse(
        path: &Path,
        text: &str,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        validate::config(path, text, environment)
    }
}
