//! `${NAME}` references to environment variables inside config strings.

/// A config string that may reference environment variables as `${NAME}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("`${{` without a closing `}}`")]
    Unterminated,
    #[error("`${{{0}}}` is not a valid variable name (use letters, digits and _)")]
    BadName(String),
}

impl Template {
    /// Checks the `${...}` syntax up front so a typo is reported when the config loads.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let template = Template(text.to_string());
        template.pieces(|_| Some(String::new()))?;
        Ok(template)
    }

    pub fn raw(&self) -> &str {
        &self.0
    }

    /// True when the value is written out in the file rather than taken from the environment.
    pub fn is_literal(&self) -> bool {
        !self.0.contains("${")
    }

    /// Names of the variables referenced, in order.
    pub fn variables(&self) -> Vec<String> {
        let mut names = Vec::new();
        let _ = self.pieces(|name| {
            names.push(name.to_string());
            Some(String::new())
        });
        names
    }

    /// Substitutes every `${NAME}`; the error names the first variable that is not set.
    pub fn resolve(&self, environment: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
        let mut missing = None;
        let resolved = self
            .pieces(|name| {
                let value = environment(name);
                if value.is_none() && missing.is_none() {
                    missing = Some(name.to_string());
                }
                value
            })
            .map_err(|error| error.to_string())?;
        match missing {
            Some(name) => Err(name),
            None => Ok(resolved),
        }
    }

    fn pieces(
        &self,
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<String, TemplateError> {
        let mut output = String::with_capacity(self.0.len());
        let mut rest = self.0.as_str();
        while let Some(start) = rest.find("${") {
            output.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or(TemplateError::Unterminated)?;
            let name = &after[..end];
            let valid = !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(TemplateError::BadName(name.to_string()));
            }
            output.push_str(&lookup(name).unwrap_or_default());
            rest = &after[end + 1..];
        }
        output.push_str(rest);
        Ok(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("example.com".into()),
            "TOKEN" => Some("t0k".into()),
            _ => None,
        }
    }

    #[test]
    fn interpolates_variables() {
        let template = Template::parse("https://${HOST}/hook?token=${TOKEN}").unwrap();
        assert_eq!(
            template.resolve(&environment).unwrap(),
            "https://example.com/hook?token=t0k"
        );
        assert_eq!(template.variables(), vec!["HOST", "TOKEN"]);
        assert!(!template.is_literal());
        let plain = Template::parse("whsec_abc$notavar").unwrap();
        assert!(plain.is_literal());
        assert_eq!(plain.resolve(&environment).unwrap(), "whsec_abc$notavar");
    }

    #[test]
    fn names_the_missing_variable() {
        let template = Template::parse("${HOST}/${MISSING}/${ALSO_MISSING}").unwrap();
        assert_eq!(template.resolve(&environment), Err("MISSING".to_string()));
    }

    #[test]
    fn rejects_bad_syntax() {
        assert_eq!(Template::parse("${OPEN"), Err(TemplateError::Unterminated));
        assert_eq!(
            Template::parse("${}"),
            Err(TemplateError::BadName(String::new()))
        );
        assert_eq!(
            Template::parse("${1X}"),
            Err(TemplateError::BadName("1X".into()))
        );
        assert_eq!(
            Template::parse("${A-B}"),
            Err(TemplateError::BadName("A-B".into()))
        );
    }
}
