//! The agency directory: the receiving agencies by code (the national code of the unit, e.g.
//! `000.00.18.H56`) with their Vietnamese and English names. Kept in the database (every
//! instance the same), loaded from a JSON file at start (`eform serve --agencies FILE`), the two
//! demo agencies in development mode; the process keeps a copy to name agencies in answers.

use form_core::Text;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::RwLock;

/// An agency as the directory file gives it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub code: String,
    pub name: Text,
}

/// The two demo agencies of development mode: the built-in forms name them (`agencyCode`).
pub fn demo() -> Vec<Agency> {
    vec![
        Agency {
            code: "000.00.18.H56".into(),
            name: Text::new(
                "Cơ quan thử nghiệm A — cư trú, hộ tịch",
                "Demo agency A — residence, civil status",
            ),
        },
        Agency {
            code: "000.00.20.H56".into(),
            name: Text::new(
                "Cơ quan thử nghiệm B — kinh doanh, thuế",
                "Demo agency B — business, tax",
            ),
        },
    ]
}

/// Reads a directory file: a JSON array of `{"code", "name": {"vi", "en"}}`. Every problem is
/// named with its JSON pointer; codes are unique and names given in both languages.
pub fn parse(text: &str) -> Result<Vec<Agency>, String> {
    let list: Vec<Agency> = serde_json::from_str(text)
        .map_err(|e| format!("not a list of {{\"code\", \"name\": {{\"vi\", \"en\"}}}}: {e}"))?;
    let mut seen = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for (i, a) in list.iter().enumerate() {
        let code = a.code.trim();
        if code.is_empty() || code.len() > 64 || code.chars().any(char::is_control) {
            problems.push(format!("/{i}/code: a code of 1 to 64 characters"));
        } else if !seen.insert(code.to_owned()) {
            problems.push(format!("/{i}/code: {code} is listed twice"));
        }
        if a.name.vi.trim().is_empty() {
            problems.push(format!("/{i}/name/vi: the Vietnamese name is empty"));
        }
        if a.name.en.trim().is_empty() {
            problems.push(format!("/{i}/name/en: the English name is empty"));
        }
    }
    if problems.is_empty() {
        Ok(list
            .into_iter()
            .map(|a| Agency {
                code: a.code.trim().to_owned(),
                name: a.name,
            })
            .collect())
    } else {
        Err(problems.join("; "))
    }
}

/// The process's copy of the directory.
#[derive(Default)]
pub struct Directory {
    by_code: RwLock<BTreeMap<String, Text>>,
}

impl Directory {
    /// A directory of these agencies.
    pub fn new(list: impl IntoIterator<Item = (String, Text)>) -> Directory {
        Directory {
            by_code: RwLock::new(list.into_iter().collect()),
        }
    }

    /// The name of the agency `code`, if the directory has it.
    pub fn name(&self, code: &str) -> Option<Text> {
        self.by_code
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(code)
            .cloned()
    }

    pub fn contains(&self, code: &str) -> bool {
        self.name(code).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_empty()
    }

    /// Replaces the copy (after the database changed).
    pub fn replace(&self, list: impl IntoIterator<Item = (String, Text)>) {
        *self
            .by_code
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = list.into_iter().collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_file() {
        let ok = parse(r#"[{"code": "000.00.01.H26", "name": {"vi": "UBND phường A", "en": "People's Committee of A ward"}}]"#).unwrap();
        assert_eq!(ok[0].code, "000.00.01.H26");
        let e = parse(r#"[{"code": "x", "name": {"vi": "A", "en": ""}}, {"code": "x", "name": {"vi": "B", "en": "B"}}]"#)
            .unwrap_err();
        assert!(e.contains("/0/name/en") && e.contains("/1/code"), "{e}");
        assert!(parse("{}").is_err());
        assert!(parse(r#"[{"code": "x", "name": {"vi": "A", "en": "A"}, "extra": 1}]"#).is_err());
    }
}
