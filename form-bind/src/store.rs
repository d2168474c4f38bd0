//! The citizen's personal data store as a form uses it (`/datastore/v1`, the portal's own or a
//! host's): the values of the keys a form binds, a mistake reported in a verified value, and
//! declared values kept for next time with the citizen's consent. Shared by the light runtime
//! and form-ui's views. Attribute values are never written to the console.

use crate::fetch::error_of;
use crate::services::Services;
use form_core::datastore::{Attribute, Catalogue, Keep};
use form_core::{Form, Text};
use form_html::Ui;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The data store's values for the keys a form binds (`Err`: the store could not be reached).
pub type StoreAnswer = Result<BTreeMap<String, Attribute>, ()>;

/// What the data store said about a form's bound keys.
pub enum Asked {
    /// The form binds no key, or it has no data store: nothing was asked.
    Nothing,
    /// Nobody is signed in to the store (401): the form starts without prefill.
    SignedOut,
    /// Its values (or that it could not be reached), and whose they are (the store's
    /// `subject`, when it names one: drafts are kept per citizen).
    Answer(StoreAnswer, Option<String>),
}

/// Asks the citizen's data store for exactly the keys `form` binds.
pub async fn ask(services: &Services, form: &Form) -> Asked {
    #[derive(Deserialize)]
    struct Answer {
        attributes: BTreeMap<String, Attribute>,
        #[serde(default)]
        subject: Option<String>,
    }
    // The same address the portal's page may have asked for already (see `Services::get`).
    let Some(url) = form_core::datastore::attributes_path(form.definition())
        .and_then(|path| services.datastore(&path))
    else {
        return Asked::Nothing;
    };
    match services.get(&url).await {
        Ok(a) if a.status == 200 => match serde_json::from_str::<Answer>(&a.body) {
            Ok(a) => Asked::Answer(Ok(a.attributes), a.subject),
            Err(_) => Asked::Answer(Err(()), None),
        },
        Ok(a) if a.status == 401 => Asked::SignedOut,
        _ => Asked::Answer(Err(()), None),
    }
}

/// Sends the citizen's report of a mistake in the verified value of `key`: `Ok` once the store
/// has taken it, else what to say.
pub async fn report(
    services: &Services,
    key: &str,
    message: &str,
    form_id: &str,
    form_version: u32,
) -> Result<(), Text> {
    if message.trim().is_empty() {
        return Err(Text::new("Hãy cho biết điều gì sai.", "Say what is wrong."));
    }
    let body = serde_json::json!({
        "key": key, "message": message, "formId": form_id, "formVersion": form_version,
    })
    .to_string();
    let url = services.datastore("/me/reports").unwrap_or_default();
    match services.post_json(&url, &body, &[]).await {
        Ok(a) if a.status == 201 => Ok(()),
        Ok(a) => Err(error_of(&a.body).unwrap_or_else(|| {
            Text::new("Chưa gửi được báo cáo.", "The report could not be sent.")
        })),
        Err(_) => Err(Ui::NetworkError.text()),
    }
}

/// The data store's key catalogue (the portal compiles in the same file).
pub static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::from_json(include_str!("../../schemas/datastore-keys.json"))
        .unwrap_or(Catalogue { keys: Vec::new() })
});

/// What a just-acknowledged dossier could keep, waiting for the citizen's answer on its
/// confirmation.
#[derive(Clone, Debug)]
pub struct Offer {
    pub form_id: String,
    pub form_version: u32,
    pub values: Vec<Keep>,
}

/// What of `data` the store could keep (declared values it does not hold yet); none: nothing
/// to ask.
pub fn offer_for(
    form: &Form,
    data: &serde_json::Value,
    store: &BTreeMap<String, Attribute>,
) -> Option<Offer> {
    let d = form.definition();
    let values =
        form_core::datastore::keepable(form, &CATALOGUE, data, store, crate::host::today());
    (!values.is_empty()).then(|| Offer {
        form_id: d.id.clone(),
        form_version: d.version,
        values,
    })
}

/// Keeps the offered values in the store, with the consent record ("Agree"): `Ok` once
/// stored, else what to say.
pub async fn keep(services: &Services, offer: &Offer) -> Result<(), Text> {
    let attributes: serde_json::Map<String, serde_json::Value> = offer
        .values
        .iter()
        .map(|k| (k.key.clone(), k.value.clone()))
        .collect();
    let given_at = String::from(js_sys::Date::new_0().to_iso_string());
    let body = serde_json::json!({
        "consent": {"formId": offer.form_id, "formVersion": offer.form_version, "givenAt": given_at},
        "attributes": attributes,
    })
    .to_string();
    let url = services.datastore("/me/attributes").unwrap_or_default();
    match services.put_json(&url, &body).await {
        Ok(a) if a.status == 200 => Ok(()),
        Ok(a) => Err(error_of(&a.body)
            .unwrap_or_else(|| Text::new("Chưa lưu được.", "They could not be kept."))),
        Err(_) => Err(Ui::NetworkError.text()),
    }
}

/// The offered values, each with the label of the field it came from (or the catalogue's
/// meaning) and its value as people read it.
pub fn offered_rows(form: &Form, offer: &Offer, lang: form_core::Lang) -> Vec<(String, String)> {
    offer
        .values
        .iter()
        .map(|k| {
            let item = form
                .definition()
                .pages
                .iter()
                .flat_map(|p| &p.sections)
                .flat_map(|s| &s.items)
                .find(|i| i.pointer.as_deref() == Some(k.pointer.as_str()));
            let label = item
                .and_then(|i| i.label.clone())
                .or_else(|| CATALOGUE.get(&k.key).map(|c| c.meaning.clone()))
                .map_or_else(|| k.key.clone(), |t| t.get(lang).to_owned());
            let shown = match item {
                Some(i) => form_core::display::value_text(form, i, &k.value, lang),
                None => k
                    .value
                    .as_str()
                    .map_or_else(|| k.value.to_string(), str::to_owned),
            };
            (label, shown)
        })
        .collect()
}
