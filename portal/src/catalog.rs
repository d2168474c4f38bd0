//! The forms the portal serves: the built-in samples plus every `*.json` in `<data-dir>/forms/`.
//! Each is loaded and checked once at start-up; a broken definition stays in the catalog with
//! its diagnostics, so that asking for it gives a clear 422 instead of a blank page.

use form_core::reference::Reference;
use form_core::{AdminUnits, Diagnostic, Form, Text, Ymd, load};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

/// The real forms compiled into the binary.
const BUILTIN: &[(&str, &str)] = &[
    (
        "birth-registration.json",
        include_str!("../../schemas/forms/birth-registration.json"),
    ),
    ("ct01.json", include_str!("../../schemas/forms/ct01.json")),
    (
        "household-business.json",
        include_str!("../../schemas/forms/household-business.json"),
    ),
    (
        "judicial-record.json",
        include_str!("../../schemas/forms/judicial-record.json"),
    ),
    (
        "marriage-registration.json",
        include_str!("../../schemas/forms/marriage-registration.json"),
    ),
    (
        "pit-finalisation.json",
        include_str!("../../schemas/forms/pit-finalisation.json"),
    ),
];

/// Vietnam's administrative units (`schemas/data/admin-units.json`), compiled in: address
/// fields of every form are checked against them.
pub const ADMIN_UNITS_JSON: &str = include_str!("../../schemas/data/admin-units.json");

/// The administrative units, parsed once.
pub fn admin_units() -> Arc<AdminUnits> {
    static UNITS: std::sync::LazyLock<Arc<AdminUnits>> = std::sync::LazyLock::new(|| {
        // The file is generated and checked by the tests; it always reads.
        Arc::new(AdminUnits::from_json(ADMIN_UNITS_JSON).expect("admin-units.json reads"))
    });
    UNITS.clone()
}

/// One form of the catalog.
#[derive(Clone)]
pub enum Entry {
    Ready(Arc<Ready>),
    /// The definition has errors; where it came from and what they are.
    Broken {
        source: String,
        diagnostics: Vec<Diagnostic>,
    },
}

/// A form that loaded without errors.
pub struct Ready {
    pub form: Form,
    /// The reference validator of the form's data schema.
    pub reference: Reference,
    /// The definition as served (`GET /forms/{id}`).
    pub json: String,
}

/// Every form, by id. Shared by the handlers; the builder's publications replace entries
/// while the portal runs.
#[derive(Default)]
pub struct Catalog {
    entries: RwLock<BTreeMap<String, Entry>>,
}

impl Catalog {
    /// The built-in forms, then `dir/*.json` (a file there replaces a built-in of the same id).
    pub fn load(dir: Option<&Path>) -> std::io::Result<Catalog> {
        let catalog = Catalog::default();
        for (name, text) in BUILTIN {
            catalog.add(name, text);
        }
        if let Some(dir) = dir.filter(|d| d.is_dir()) {
            let mut files: Vec<_> = std::fs::read_dir(dir)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "json")
                        && !p.to_string_lossy().ends_with(".example.json")
                })
                .collect();
            files.sort();
            for path in files {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                match std::fs::read_to_string(&path) {
                    Ok(text) => catalog.add(&name, &text),
                    Err(e) => {
                        let id = name.trim_end_matches(".json").to_owned();
                        let d = Diagnostic::error(
                            "",
                            "unreadable",
                            Text::new(
                                format!("Không đọc được tệp: {e}"),
                                format!("The file cannot be read: {e}"),
                            ),
                        );
                        catalog.insert(
                            &id,
                            Entry::Broken {
                                source: name,
                                diagnostics: vec![d],
                            },
                        );
                    }
                }
            }
        }
        Ok(catalog)
    }

    /// Loads one definition text; `name` is its file name (its id when the text has none).
    pub fn add(&self, name: &str, text: &str) {
        let id = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| name.trim_end_matches(".json").to_owned());
        self.insert(&id, compile(name, text));
    }

    /// Puts `entry` in as form `id` (replacing what was there).
    pub fn insert(&self, id: &str, entry: Entry) {
        // A poisoned lock still holds a whole map (inserts do not panic half-way).
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.insert(id.to_owned(), entry);
    }

    pub fn get(&self, id: &str) -> Option<Entry> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries.get(id).cloned()
    }

    /// Every form as it is now, by id.
    pub fn snapshot(&self) -> Vec<(String, Entry)> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Loads and checks one definition text (`name` says where it came from).
pub fn compile(name: &str, text: &str) -> Entry {
    check(name, text).0
}

/// Loads and checks one definition text: its entry, and every diagnostic (errors and
/// warnings of the definition and of its prefill bindings), as the builder shows them.
pub fn check(name: &str, text: &str) -> (Entry, Vec<Diagnostic>) {
    let loaded = load(text);
    // Prefill bindings name keys of the data store's catalogue, of types that suit their fields.
    let bindings: Vec<Diagnostic> = loaded
        .form
        .as_ref()
        .map(|f| form_core::datastore::check_bindings(f, &crate::keys::CATALOGUE))
        .unwrap_or_default();
    for w in bindings.iter().filter(|d| !d.is_error()) {
        tracing::warn!(source = %name, pointer = %w.pointer, "{}", w.message.en);
    }
    let mut all = loaded.diagnostics.clone();
    all.extend(bindings.iter().cloned());
    if bindings.iter().any(Diagnostic::is_error) {
        let entry = Entry::Broken {
            source: name.to_owned(),
            diagnostics: bindings,
        };
        return (entry, all);
    }
    let entry = match loaded.form.map(|f| f.with_admin_units(admin_units())) {
        Some(form) => match Reference::new(&form.definition().data_schema) {
            Ok(reference) => Entry::Ready(Arc::new(Ready {
                json: serde_json::to_string(form.definition()).unwrap_or_default(),
                form,
                reference,
            })),
            Err(e) => {
                let d = Diagnostic::error(
                    "/dataSchema",
                    "schema-reference",
                    Text::new(
                        format!("Trình kiểm tra tham chiếu không chấp nhận lược đồ: {e}"),
                        format!("The reference validator rejects the schema: {e}"),
                    ),
                );
                all.push(d.clone());
                Entry::Broken {
                    source: name.to_owned(),
                    diagnostics: vec![d],
                }
            }
        },
        None => Entry::Broken {
            source: name.to_owned(),
            diagnostics: loaded.diagnostics,
        },
    };
    (entry, all)
}

impl Ready {
    /// Validates data with form-core and with the reference validator. The verdicts should
    /// agree (the differential tests see to it); should they not, the data is refused with the
    /// reference's errors added, so that invalid data never passes.
    /// `today` is the date in Vietnam (see [`today_in_vietnam`]).
    pub fn validate(&self, data: &Value, today: Ymd) -> Vec<Diagnostic> {
        self.check(data, today).0
    }

    /// [`Ready::validate`], with form-core's evaluation (the submission: computed values in,
    /// hidden fields out; which fields are hidden). The one verdict of the portal: the check
    /// API, `eform validate` and intake all call it.
    pub fn check(&self, data: &Value, today: Ymd) -> (Vec<Diagnostic>, form_core::Evaluation) {
        let evaluation = self.form.evaluate(data, today);
        let mut diags = evaluation.errors.clone();
        // Data as sent: values in hidden fields are refused (intake stores the submission).
        diags.extend(evaluation.hidden_values(data));
        // One person named as two co-signers would sign once for both.
        if let Some(sig) = &self.form.definition().signature {
            diags.extend(sig.repeated(&evaluation.data));
        }
        // The reference sees what would be submitted: computed values in, hidden fields out.
        let submitted = &evaluation.data;
        if diags.is_empty() && !self.reference.is_valid(submitted) {
            for e in self.reference.errors(submitted) {
                tracing::warn!(form = %self.form.definition().id, pointer = %e.instance, keyword = %e.keyword, "validators disagree");
                diags.push(Diagnostic::error(
                    e.instance,
                    &e.keyword,
                    Text::new(
                        format!("Dữ liệu không hợp lệ: {}", e.message),
                        format!("Invalid data: {}", e.message),
                    ),
                ));
            }
        }
        (diags, evaluation)
    }
}

/// Today's date in Vietnam (UTC+7, no daylight saving): the date rules such as `age()` use.
pub fn today_in_vietnam() -> Ymd {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    form_core::expr::civil_from_days((secs + 7 * 3600).div_euclid(86_400))
}

/// How often an instance looks for versions another instance recorded.
pub const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(400);

/// Brings `catalog` up to the database: a form whose latest recorded version (published in
/// the builder or served from a file, by any instance) is newer than the one served here, or
/// that is not served here at all, is compiled and served. A form broken here (its file has
/// errors) is left broken, so that its 422 keeps telling the operator. `tried` remembers the
/// versions that did not compile, which are not compiled again. How many forms changed.
pub async fn follow(
    catalog: &Catalog,
    db: &crate::db::Db,
    tried: &mut std::collections::HashSet<(String, i64)>,
) -> Result<usize, sqlx::Error> {
    let mut changed = 0;
    for (id, version) in db.latest_form_versions().await? {
        let here = match catalog.get(&id) {
            None => None,
            Some(Entry::Ready(r)) => Some(i64::from(r.form.definition().version)),
            Some(Entry::Broken { .. }) => continue,
        };
        if here.is_some_and(|v| v >= version) || tried.contains(&(id.clone(), version)) {
            continue;
        }
        let Some(text) = db.form_version(&id, version).await? else {
            continue;
        };
        let name = format!("{id}.json");
        let entry = tokio::task::spawn_blocking(move || compile(&name, &text))
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("compiling a form: {e}")))?;
        match entry {
            Entry::Ready(r) => {
                tracing::info!(form = %id, version, "serving the version recorded in the database");
                catalog.insert(&id, Entry::Ready(r));
                changed += 1;
            }
            Entry::Broken { .. } => {
                tracing::error!(form = %id, version, "a recorded version no longer loads");
                tried.insert((id, version));
            }
        }
    }
    Ok(changed)
}
