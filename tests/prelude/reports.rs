//! Scanner reports the tests generate: the Trivy JSON envelope around their own findings.

use serde_json::{json, Value};

/// A Trivy JSON report (schema 2) with `vulnerabilities` (Trivy's own records) in one
/// target, a Maven `pom.xml`.
pub fn trivy_json(vulnerabilities: Vec<Value>) -> String {
    json!({
        "SchemaVersion": 2,
        "ArtifactName": "generated",
        "ArtifactType": "filesystem",
        "Results": [{
            "Target": "pom.xml",
            "Class": "lang-pkgs",
            "Type": "pom",
            "Vulnerabilities": vulnerabilities
        }]
    })
    .to_string()
}
