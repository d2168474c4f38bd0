//! `cargo xtask admin-units`: generates `schemas/data/admin-units.json`, Vietnam's
//! administrative units after the July 2025 reorganisation (34 provinces and their communes),
//! from the PyPI package `vietnam-provinces` at a pinned version.
//!
//! The package needs Python 3.12 to install, but only its data file is used: pip downloads the
//! wheel (pure Python, any interpreter) without installing it, and the file is read out of the
//! wheel. The output records the package, its version, the file and the wheel's SHA-256, and
//! gives each unit its Vietnamese name and an English one (diacritics removed, type in
//! English: "Phường Ba Đình" → "Ba Dinh Ward"), as Vietnamese places are named in English texts.

use crate::{cmd, exec, step};
use anyhow::{Context, Result, bail};
use form_core::Text;
use form_core::admin_units::{AdminUnitsFile, Commune, Province, Source};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

const PACKAGE: &str = "vietnam-provinces";
const VERSION: &str = "2026.9.0";
const DATA_FILE: &str = "vietnam_provinces/data/nested-divisions.json";
/// The day the 2025 reorganisation took effect (Resolution 202/2025/QH15).
const EFFECTIVE: &str = "2025-07-01";

#[derive(Deserialize)]
struct PyProvince {
    name: String,
    code: u32,
    wards: Vec<PyWard>,
}

#[derive(Deserialize)]
struct PyWard {
    name: String,
    code: u32,
}

pub fn generate(root: &Path) -> Result<()> {
    step(&format!(
        "administrative units from PyPI {PACKAGE}=={VERSION}"
    ));
    let dir = root.join("target/admin-units");
    let wheel = dir.join(format!(
        "{}-{VERSION}-py3-none-any.whl",
        PACKAGE.replace('-', "_")
    ));
    if !wheel.exists() {
        std::fs::create_dir_all(&dir)?;
        let mut c = cmd(root, "python3");
        c.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
            .args(["--python-version", "3.12", "--dest"])
            .arg(&dir)
            .arg(format!("{PACKAGE}=={VERSION}"));
        exec(c)?;
    }
    let bytes = std::fs::read(&wheel).with_context(|| format!("reading {}", wheel.display()))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let out = cmd(root, "python3")
        .args([
            "-c",
            "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))",
        ])
        .arg(&wheel)
        .arg(DATA_FILE)
        .output()?;
    if !out.status.success() {
        bail!(
            "cannot read {DATA_FILE} from the wheel: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let source: Vec<PyProvince> = serde_json::from_slice(&out.stdout)?;
    let file = convert(
        source,
        Source {
            package: PACKAGE.to_owned(),
            version: VERSION.to_owned(),
            file: DATA_FILE.to_owned(),
            sha256,
        },
    )?;
    let communes: usize = file.provinces.iter().map(|p| p.communes.len()).sum();
    let target = root.join("schemas/data/admin-units.json");
    std::fs::create_dir_all(target.parent().unwrap())?;
    std::fs::write(&target, render(&file)?)?;
    println!(
        "wrote {} ({} provinces, {communes} communes)",
        target.display(),
        file.provinces.len()
    );
    Ok(())
}

fn convert(source: Vec<PyProvince>, from: Source) -> Result<AdminUnitsFile> {
    let provinces = source
        .into_iter()
        .map(|p| {
            let communes = p
                .wards
                .into_iter()
                .map(|w| {
                    Ok(Commune {
                        code: format!("{:05}", w.code),
                        name: Text::new(capitalised(&w.name), english(&w.name)?),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Province {
                code: format!("{:02}", p.code),
                name: Text::new(p.name.clone(), english(&p.name)?),
                communes,
                later: false,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // The index refuses a code given twice.
    let file = AdminUnitsFile {
        source: from,
        effective: EFFECTIVE.to_owned(),
        provinces,
    };
    form_core::AdminUnits::new(file.clone()).map_err(anyhow::Error::msg)?;
    Ok(file)
}

/// The file as JSON with one commune per line: small, and a change of the list reads as a
/// change of lines.
fn render(file: &AdminUnitsFile) -> Result<String> {
    use std::fmt::Write as _;
    let mut out = String::from("{\n");
    writeln!(
        out,
        "  \"source\": {},",
        serde_json::to_string(&file.source)?
    )?;
    writeln!(
        out,
        "  \"effective\": {},",
        serde_json::to_string(&file.effective)?
    )?;
    out.push_str("  \"provinces\": [\n");
    for (pi, p) in file.provinces.iter().enumerate() {
        writeln!(
            out,
            "    {{\"code\": {}, \"name\": {}, \"communes\": [",
            serde_json::to_string(&p.code)?,
            serde_json::to_string(&p.name)?
        )?;
        for (ci, c) in p.communes.iter().enumerate() {
            let comma = if ci + 1 < p.communes.len() { "," } else { "" };
            writeln!(out, "      {}{comma}", serde_json::to_string(c)?)?;
        }
        let comma = if pi + 1 < file.provinces.len() {
            ","
        } else {
            ""
        };
        writeln!(out, "    ]}}{comma}")?;
    }
    out.push_str("  ]\n}\n");
    // What is written must read back as the same list.
    let back: AdminUnitsFile = serde_json::from_str(&out)?;
    if serde_json::to_value(&back)? != serde_json::to_value(file)? {
        bail!("the rendered list does not read back the same");
    }
    Ok(out)
}

/// "Thành phố Hà Nội" → "Ha Noi City", "Xã Đắk Pơ" → "Dak Po Commune".
fn english(name: &str) -> Result<String> {
    const TYPES: [(&str, &str); 5] = [
        ("Thành phố ", "City"),
        ("Tỉnh ", "Province"),
        ("Phường ", "Ward"),
        ("Xã ", "Commune"),
        ("Đặc khu ", "Special Zone"),
    ];
    for (vi, en) in TYPES {
        // The package writes a few names in lower case ("xã Bắc Sơn").
        if name.to_lowercase().starts_with(&vi.to_lowercase()) {
            let rest = &name[vi.len()..];
            return Ok(format!("{} {en}", ascii(rest)));
        }
    }
    bail!("unknown kind of administrative unit: {name}")
}

/// The name with its first letter in upper case, as names are written ("xã Bắc Sơn" is one of
/// a few names the package has in lower case).
fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Vietnamese without diacritics: decomposed, combining marks dropped, đ → d.
fn ascii(s: &str) -> String {
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_names() {
        assert_eq!(english("Thành phố Hà Nội").unwrap(), "Ha Noi City");
        assert_eq!(english("Phường Ba Đình").unwrap(), "Ba Dinh Ward");
        assert_eq!(english("Xã Đắk Pơ").unwrap(), "Dak Po Commune");
        assert_eq!(
            english("Đặc khu Phú Quốc").unwrap(),
            "Phu Quoc Special Zone"
        );
        assert_eq!(english("xã Bắc Sơn").unwrap(), "Bac Son Commune");
        assert_eq!(capitalised("xã Bắc Sơn"), "Xã Bắc Sơn");
        assert!(english("Quận 1").is_err());
    }
}
