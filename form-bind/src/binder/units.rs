//! A province's communes, fetched when the form needs them. The light runtime loads the
//! provinces alone (`/refdata/provinces.json`, each province `later`), and a province's
//! communes (`/refdata/communes/{code}.json`) when the citizen chooses it, or when the data the
//! form starts from names it; until they have come, the commune list of that province is empty
//! and says they are on their way, and form-core checks a commune's shape only (the portal, with
//! the whole list, decides). If they cannot be fetched, the field says so, with "try again".

use super::Inner;
use form_core::{Widget, pointer};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;

impl Inner {
    /// The provinces the data's addresses name whose communes have not come.
    pub(super) fn provinces_wanted(&self) -> Vec<String> {
        let Some(units) = self.form.admin_units() else {
            return Vec::new();
        };
        let data = self.state.data();
        let mut wanted: Vec<String> = Vec::new();
        for field in self.form.fields() {
            if field.widget != Widget::Address {
                continue;
            }
            for at in pointer::instances(&field.pointer, data) {
                if let Some(code) =
                    pointer::get(data, &format!("{at}/province")).and_then(Value::as_str)
                    && units.province(code).is_some_and(|p| p.later)
                    && !wanted.iter().any(|w| w == code)
                {
                    wanted.push(code.to_owned());
                }
            }
        }
        wanted
    }

    /// Draws the address items again: what their commune lists say of the communes on their
    /// way, or not come.
    fn redraw_addresses(&self) {
        let mut items: Vec<String> = Vec::new();
        for field in self.form.fields() {
            if field.widget == Widget::Address
                && let Some(item) = self.item_of(&field.pointer)
                && !items.iter().any(|i| i == item)
            {
                items.push(item.to_owned());
            }
        }
        self.redraw_items(&items);
    }
}

/// Fetches the communes of the provinces the data names and has not got yet (once each at a
/// time); when they come, the form checks and draws with them.
pub(super) fn load(at: &Rc<RefCell<Inner>>) {
    let (wanted, base) = {
        let Ok(mut s) = at.try_borrow_mut() else {
            return;
        };
        let Some(base) = s.communes.clone() else {
            return;
        };
        let wanted: Vec<String> = s
            .provinces_wanted()
            .into_iter()
            .filter(|code| !s.communes_asked.contains(code))
            .collect();
        if !wanted.is_empty() {
            // The commune list says they are on their way.
            s.communes_asked.extend(wanted.iter().cloned());
            s.communes_failed.retain(|code| !wanted.contains(code));
            s.redraw_addresses();
        }
        (wanted, base)
    };
    for code in wanted {
        let at = at.clone();
        let url = format!("{base}{code}.json");
        wasm_bindgen_futures::spawn_local(async move {
            let province = crate::fetch::request(&url, None)
                .await
                .ok()
                .filter(|a| a.status == 200)
                .and_then(|a| {
                    serde_json::from_str::<form_core::admin_units::Province>(&a.body).ok()
                });
            let Ok(mut s) = at.try_borrow_mut() else {
                return;
            };
            s.communes_asked.remove(&code);
            // Not come (offline a moment): the field says so and offers to try again; choosing
            // the province again asks too.
            let Some(province) = province.filter(|p| p.code == code) else {
                s.communes_failed.insert(code);
                s.redraw_addresses();
                return;
            };
            if s.form.add_communes(province) {
                // Checked again with the communes, and drawn with them.
                let data = s.state.data().clone();
                s.state.replace(data);
                s.draw();
            } else {
                s.redraw_addresses();
            }
        });
    }
}
