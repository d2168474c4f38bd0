//! Vietnam's administrative units after the July 2025 reorganisation: 34 provinces and their
//! communes (wards, communes, special zones), with the codes of the national list.
//!
//! form-core reads no files: the caller hands the list in ([`AdminUnits::from_json`] on the
//! contents of `schemas/data/admin-units.json`, which `cargo xtask admin-units` generates from the
//! PyPI package `vietnam-provinces`) and attaches it to a form with [`crate::Form::with_admin_units`].
//! Address fields are then checked against it: the province exists, and the commune is one of
//! that province's.
//!
//! A browser needs only the communes of the provinces a citizen picks: the list may come with
//! the provinces alone (each marked `later`, [`AdminUnitsFile::provinces_only`]) and each
//! province's communes added when it is chosen ([`crate::Form::add_communes`]). Until they are,
//! a commune of a `later` province is checked for its shape only; the portal, with the whole
//! list, decides.

use crate::text::Text;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The wire format of `schemas/data/admin-units.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminUnitsFile {
    /// Where the list comes from (package, version, file, SHA-256 of the package).
    pub source: Source,
    /// The day the list took effect (ISO date).
    pub effective: String,
    pub provinces: Vec<Province>,
}

/// The package the list was generated from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Source {
    pub package: String,
    pub version: String,
    pub file: String,
    pub sha256: String,
}

/// A province or centrally governed city.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Province {
    /// Two digits: `01` for Hà Nội.
    pub code: String,
    pub name: Text,
    #[serde(default)]
    pub communes: Vec<Commune>,
    /// Its communes are not in this list: they come when the province is chosen.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub later: bool,
}

impl AdminUnitsFile {
    /// The list without its communes (each province `later`): what a browser loads first.
    pub fn provinces_only(&self) -> AdminUnitsFile {
        AdminUnitsFile {
            source: self.source.clone(),
            effective: self.effective.clone(),
            provinces: self
                .provinces
                .iter()
                .map(|p| Province {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    communes: Vec::new(),
                    later: true,
                })
                .collect(),
        }
    }
}

/// A ward (`phường`), commune (`xã`) or special zone (`đặc khu`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Commune {
    /// Five digits: `00004` for Phường Ba Đình.
    pub code: String,
    pub name: Text,
}

/// The list, indexed for look-ups.
#[derive(Debug)]
pub struct AdminUnits {
    file: AdminUnitsFile,
    /// Province code → index in `file.provinces`.
    provinces: HashMap<String, usize>,
    /// Commune code → index of its province.
    communes: HashMap<String, usize>,
}

impl AdminUnits {
    /// Parses the contents of `admin-units.json`. A code given twice is an error.
    pub fn from_json(text: &str) -> Result<AdminUnits, String> {
        let file: AdminUnitsFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        AdminUnits::new(file)
    }

    /// Indexes a list.
    pub fn new(file: AdminUnitsFile) -> Result<AdminUnits, String> {
        let mut provinces = HashMap::new();
        let mut communes = HashMap::new();
        for (pi, p) in file.provinces.iter().enumerate() {
            if provinces.insert(p.code.clone(), pi).is_some() {
                return Err(format!("province code {} is given twice", p.code));
            }
            for c in &p.communes {
                if communes.insert(c.code.clone(), pi).is_some() {
                    return Err(format!("commune code {} is given twice", c.code));
                }
            }
        }
        Ok(AdminUnits {
            file,
            provinces,
            communes,
        })
    }

    /// The provinces, in the list's order.
    pub fn provinces(&self) -> &[Province] {
        &self.file.provinces
    }

    pub fn province(&self, code: &str) -> Option<&Province> {
        self.provinces.get(code).map(|&i| &self.file.provinces[i])
    }

    /// The province a commune belongs to.
    pub fn province_of(&self, commune: &str) -> Option<&Province> {
        self.communes.get(commune).map(|&i| &self.file.provinces[i])
    }

    /// The source and effective date of the list.
    pub fn file(&self) -> &AdminUnitsFile {
        &self.file
    }

    /// The number of communes in all provinces.
    pub fn commune_count(&self) -> usize {
        self.communes.len()
    }

    /// The list with `province`'s communes in it (a `later` province of the list, given whole);
    /// `None` if the list has no such province.
    pub fn with_communes(&self, province: Province) -> Option<Result<AdminUnits, String>> {
        let at = *self.provinces.get(&province.code)?;
        let mut file = self.file.clone();
        file.provinces[at] = Province {
            later: false,
            ..province
        };
        Some(AdminUnits::new(file))
    }

    /// The provinces whose communes are still to come.
    pub fn later(&self) -> impl Iterator<Item = &Province> {
        self.file.provinces.iter().filter(|p| p.later)
    }
}

/// What is wrong with a (province, commune) pair of codes, if anything. Without a list only the
/// shape of the codes is checked (two and five digits).
pub(crate) fn address_problem(
    units: Option<&AdminUnits>,
    province: Option<&str>,
    commune: Option<&str>,
) -> Option<(&'static str, Text)> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(p) = province {
        let known = match units {
            Some(u) => u.province(p).is_some(),
            None => digits(p, 2),
        };
        if !known {
            return Some((
                "province",
                Text::new(
                    "Tỉnh, thành phố đã chọn không có trong danh mục đơn vị hành chính; vui lòng chọn lại.",
                    "The province or city chosen is not in the list of administrative units; choose it again.",
                ),
            ));
        }
    }
    if let Some(c) = commune {
        let fits = match (units, province) {
            // A province whose communes have not come: a commune of no loaded province may be
            // one of its own (the shape is checked; the whole list decides on the portal).
            (Some(u), Some(p)) if u.province(p).is_some_and(|q| q.later) => {
                match u.province_of(c) {
                    Some(q) => q.code == p,
                    None => digits(c, 5),
                }
            }
            (Some(u), Some(p)) => u.province_of(c).is_some_and(|q| q.code == p),
            (Some(u), None) => u.province_of(c).is_some(),
            (None, _) => digits(c, 5),
        };
        if !fits {
            return Some((
                "commune",
                Text::new(
                    "Xã, phường đã chọn không thuộc tỉnh, thành phố đã chọn; vui lòng chọn lại.",
                    "The commune or ward chosen is not in the province or city chosen; choose it again.",
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> AdminUnits {
        AdminUnits::from_json(
            r#"{"source":{"package":"p","version":"1","file":"f","sha256":"0"},"effective":"2025-07-01",
               "provinces":[{"code":"01","name":{"vi":"Thành phố Hà Nội","en":"Ha Noi City"},
                 "communes":[{"code":"00004","name":{"vi":"Phường Ba Đình","en":"Ba Dinh Ward"}}]},
                 {"code":"79","name":{"vi":"Thành phố Hồ Chí Minh","en":"Ho Chi Minh City"},
                 "communes":[{"code":"26734","name":{"vi":"Phường Sài Gòn","en":"Sai Gon Ward"}}]}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_commune_must_belong_to_the_province() {
        let u = units();
        assert_eq!(address_problem(Some(&u), Some("01"), Some("00004")), None);
        assert_eq!(
            address_problem(Some(&u), Some("01"), Some("26734")).map(|p| p.0),
            Some("commune")
        );
        assert_eq!(
            address_problem(Some(&u), Some("02"), None).map(|p| p.0),
            Some("province")
        );
        assert_eq!(address_problem(Some(&u), None, Some("26734")), None);
    }

    #[test]
    fn a_province_whose_communes_come_later_is_decided_once_they_have() {
        let whole = units();
        let first = AdminUnits::new(whole.file().provinces_only()).unwrap();
        assert_eq!(first.commune_count(), 0);
        assert_eq!(first.later().count(), 2);
        // Before its communes: a commune of the right shape is not refused.
        assert_eq!(
            address_problem(Some(&first), Some("01"), Some("26734")),
            None
        );
        assert_eq!(
            address_problem(Some(&first), Some("01"), Some("4")).map(|p| p.0),
            Some("commune")
        );
        // Hà Nội's communes come: Sài Gòn's ward is not one of them, Ba Đình's is.
        let hanoi = whole.province("01").unwrap().clone();
        let then = first.with_communes(hanoi).unwrap().unwrap();
        assert_eq!(then.later().count(), 1);
        assert_eq!(
            address_problem(Some(&then), Some("01"), Some("00004")),
            None
        );
        assert_eq!(
            address_problem(Some(&then), Some("01"), Some("26734")).map(|p| p.0),
            Some("commune")
        );
        // A loaded commune picked under another province still waiting is refused too.
        assert_eq!(
            address_problem(Some(&then), Some("79"), Some("00004")).map(|p| p.0),
            Some("commune")
        );
        let unknown = Province {
            code: "99".into(),
            name: Text::new("x", "x"),
            communes: Vec::new(),
            later: false,
        };
        assert!(then.with_communes(unknown).is_none());
        // The wire format: `later` only where true.
        let text = serde_json::to_string(&first.file().provinces[0]).unwrap();
        assert!(text.contains("\"later\":true"), "{text}");
        assert!(
            !serde_json::to_string(&hanoi_of(&whole))
                .unwrap()
                .contains("later")
        );
    }

    fn hanoi_of(u: &AdminUnits) -> Province {
        u.province("01").unwrap().clone()
    }

    #[test]
    fn without_a_list_only_the_shape_is_checked() {
        assert_eq!(address_problem(None, Some("99"), Some("12345")), None);
        assert_eq!(
            address_problem(None, Some("1"), None).map(|p| p.0),
            Some("province")
        );
        assert_eq!(
            address_problem(None, Some("01"), Some("4")).map(|p| p.0),
            Some("commune")
        );
    }

    #[test]
    fn a_code_given_twice_is_refused() {
        let text = r#"{"source":{"package":"p","version":"1","file":"f","sha256":"0"},"effective":"2025-07-01",
            "provinces":[{"code":"01","name":{"vi":"A","en":"A"},"communes":[]},
                         {"code":"01","name":{"vi":"B","en":"B"},"communes":[]}]}"#;
        assert!(AdminUnits::from_json(text).is_err());
    }
}
