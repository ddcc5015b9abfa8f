//! The CISA Known Exploited Vulnerabilities catalog: reading and validating it, looking
//! findings up in it, and `kev update` (a conditional download that replaces the saved copy
//! atomically and keeps the old one when anything goes wrong).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};
use serde::{Deserialize, Serialize};

use crate::download::{self, Downloaded, Feed};

/// Where CISA publishes the catalog.
pub const CISA_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";

/// A download larger than this is refused: the real catalog is about 1.3 MB.
const MAX_CATALOG_BYTES: usize = 64 * 1024 * 1024;

/// One catalog entry, with the catalog's own key names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KevEntry {
    #[serde(rename = "cveID")]
    pub cve_id: String,
    #[serde(default)]
    pub vendor_project: Option<String>,
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub vulnerability_name: Option<String>,
    #[serde(default)]
    pub date_added: Option<String>,
    #[serde(default)]
    pub short_description: Option<String>,
    #[serde(default)]
    pub required_action: Option<String>,
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub known_ransomware_campaign_use: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog {
    #[serde(default)]
    catalog_version: Option<String>,
    vulnerabilities: Vec<serde_json::Value>,
}

/// The catalog, indexed by CVE id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub version: Option<String>,
    entries: HashMap<String, KevEntry>,
}

impl Catalog {
    /// Reads and checks a catalog. The `count` field is not trusted: entries are counted.
    /// An entry without a usable `cveID` makes the whole catalog invalid.
    pub fn parse(bytes: &[u8]) -> Result<Catalog, String> {
        let raw: RawCatalog =
            serde_json::from_slice(bytes).map_err(|error| format!("not a KEV catalog: {error}"))?;
        let mut entries = HashMap::with_capacity(raw.vulnerabilities.len());
        for (index, value) in raw.vulnerabilities.into_iter().enumerate() {
            let entry: KevEntry = serde_json::from_value(value)
                .map_err(|error| format!("entry {index} is not a KEV entry: {error}"))?;
            if !entry.cve_id.starts_with("CVE-") {
                return Err(format!(
                    "entry {index} has cveID `{}`, not a CVE id",
                    entry.cve_id
                ));
            }
            entries.insert(entry.cve_id.clone(), entry);
        }
        if entries.is_empty() {
            return Err("the catalog has no entries".into());
        }
        Ok(Catalog {
            version: raw.catalog_version,
            entries,
        })
    }

    pub fn load(path: &Path) -> anyhow::Result<Catalog> {
        let bytes =
            std::fs::read(path).with_context(|| format!("KEV catalog {}", path.display()))?;
        Catalog::parse(&bytes).map_err(|reason| anyhow!("KEV catalog {}: {reason}", path.display()))
    }

    /// Builds a catalog from entries a report carried itself (Grype's `knownExploited`).
    pub fn from_entries(entries: impl IntoIterator<Item = KevEntry>) -> Catalog {
        Catalog {
            version: None,
            entries: entries
                .into_iter()
                .map(|entry| (entry.cve_id.clone(), entry))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for the first of `ids` that is in the catalog.
    pub fn lookup<'a>(&self, mut ids: impl Iterator<Item = &'a str>) -> Option<&KevEntry> {
        ids.find_map(|id| self.entries.get(id))
    }
}

/// The saved copy `kev update` writes and `emit --report` reads by default.
pub fn saved_path(environment: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    crate::config::xdg_folder("XDG_DATA_HOME", ".local/share", environment)
        .join("staxhook/known_exploited_vulnerabilities.json")
}

#[derive(Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Updated {
        entries: usize,
        version: Option<String>,
    },
    NotModified {
        entries: usize,
    },
}

/// Downloads the catalog from `url` into `path`: a conditional GET (ETag, Last-Modified)
/// when a copy from the same URL is saved; the body is validated before it atomically
/// replaces the saved copy, so a failed or invalid download keeps the old one.
pub fn update(url: &str, path: &Path) -> anyhow::Result<UpdateOutcome> {
    let feed = Feed {
        name: "KEV catalog",
        url,
        path,
        max_bytes: MAX_CATALOG_BYTES,
    };
    Ok(match download::update(&feed, Catalog::parse)? {
        Downloaded::Updated(catalog) => UpdateOutcome::Updated {
            entries: catalog.len(),
            version: catalog.version,
        },
        Downloaded::NotModified => UpdateOutcome::NotModified {
            entries: Catalog::load(path)?.len(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kev")).join(name)
    }

    #[test]
    fn reads_the_real_catalog_and_counts_its_entries() {
        let catalog = Catalog::load(&fixture("known_exploited_vulnerabilities.json")).unwrap();
        assert_eq!(catalog.len(), 1404);
        assert_eq!(catalog.version.as_deref(), Some("2025.08.25"));
        let entry = catalog
            .lookup(["GHSA-x", "CVE-2025-48384"].into_iter())
            .unwrap();
        assert_eq!(entry.due_date.as_deref(), Some("2025-09-15"));
        assert_eq!(entry.vendor_project.as_deref(), Some("Git"));
        assert!(catalog.lookup(["CVE-1999-0000"].into_iter()).is_none());
        let subset = Catalog::load(&fixture("kev-subset-3.json")).unwrap();
        assert_eq!(subset.len(), 3);
    }

    #[test]
    fn refuses_what_is_not_a_catalog() {
        assert!(Catalog::parse(b"{}").is_err());
        assert!(Catalog::parse(b"{\"vulnerabilities\": []}").is_err());
        assert!(Catalog::parse(b"{\"vulnerabilities\": [{\"cveID\": \"nope\"}]}").is_err());
        assert!(Catalog::parse(b"<html>").is_err());
        // A lying count does not matter: entries are counted.
        let catalog =
            Catalog::parse(b"{\"count\": 99, \"vulnerabilities\": [{\"cveID\": \"CVE-1-2\"}]}")
                .unwrap();
        assert_eq!(catalog.len(), 1);
    }
}
