//! The binder's listeners, one per event kind on the form's root: what was typed (`input`,
//! `change`), a field left (`focusout`), a page, row or submit button (`submit`), a summary
//! link, the language switch and "start again" (`click`).

use super::{Inner, Outcome};
use crate::drafts;
use crate::fetch;
use crate::host::emit_later;
use form_core::{Changes, Lang, Widget, pointer};
use form_html::{ACTION, GO, ITEM, Ui};
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, FocusEvent, HtmlInputElement, SubmitEvent};

fn target_element(ev: &Event) -> Option<Element> {
    ev.target()?.dyn_into::<Element>().ok()
}

pub(super) fn on_input(at: &Rc<RefCell<Inner>>, ev: Event) {
    let Some(target) = target_element(&ev) else {
        return;
    };
    if let Some(input) = target.dyn_ref::<HtmlInputElement>()
        && input.type_() == "file"
    {
        if ev.type_() == "change" {
            picked(at, input);
        }
        return;
    }
    let Some(name) = target.get_attribute("name").filter(|n| n.starts_with('/')) else {
        return;
    };
    // Text controls are read on `input`; the others send both events with the same value.
    let text = target
        .dyn_ref::<HtmlInputElement>()
        .is_none_or(|i| !matches!(i.type_().as_str(), "checkbox" | "radio"))
        && target.tag_name() != "SELECT";
    if ev.type_() == "change" && text {
        return;
    }
    // Busy (a focus moved while the form is drawn): nothing typed comes in meanwhile.
    let Ok(mut s) = at.try_borrow_mut() else {
        return;
    };
    let value = s.read(&name, &target);
    if pointer::get(s.state.data(), &name) == value.as_ref() {
        return;
    }
    let mut changes = s.state.set(&name, value);
    // A new province: the commune chosen was one of the other's.
    if let Some(address) = name.strip_suffix("/province")
        && s.form
            .field_for(address)
            .is_some_and(|f| f.widget == Widget::Address)
    {
        let commune = format!("{address}/commune");
        if pointer::get(s.state.data(), &commune).is_some() {
            let more = s.state.set(&commune, None);
            changes.errors.extend(more.errors);
            changes.values.extend(more.values);
        }
    }
    s.changed.insert(name.clone());
    s.refused = None;
    if !s.outcome.busy() {
        s.outcome = Outcome::Idle;
    }
    if !s.follow_bindings() {
        s.apply(&changes, Some(&name));
    }
    s.changed_data();
    // A province chosen: its communes, if they have not come.
    if name.ends_with("/province") {
        drop(s);
        super::units::load(at);
    }
}

/// Files picked for an attachment: what the data holds of them (name, size, media type),
/// checked at once; with the host's intake named, each is uploaded too (`filing::upload`) and
/// gets its `sha256`.
fn picked(at: &Rc<RefCell<Inner>>, input: &HtmlInputElement) {
    let Some(ptr) = input
        .closest(&format!("[{ITEM}]"))
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute(ITEM))
    else {
        return;
    };
    let Ok(mut s) = at.try_borrow_mut() else {
        return;
    };
    let picked: Vec<web_sys::File> = input
        .files()
        .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
        .unwrap_or_default();
    let files: Vec<Value> = picked
        .iter()
        .map(|f| json!({"name": f.name(), "size": f.size() as u64, "type": f.type_()}))
        .collect();
    let value = if files.is_empty() {
        None
    } else if input.multiple() {
        Some(Value::Array(files))
    } else {
        files.into_iter().next()
    };
    let changes = s.state.set(&ptr, value);
    s.changed.insert(ptr.clone());
    s.shown.insert(ptr.clone());
    s.apply(&changes, Some(&ptr));
    s.changed_data();
    drop(s);
    if super::SERVICES {
        super::filing::upload(at, ptr, input.multiple(), picked);
    }
}

pub(super) fn on_leave(at: &Rc<RefCell<Inner>>, ev: Event) {
    let Some(name) = target_element(&ev).and_then(|t| t.get_attribute("name")) else {
        return;
    };
    // Busy: the focus left because the form moved it (a page, the summary).
    let Ok(mut s) = at.try_borrow_mut() else {
        return;
    };
    if s.changed.contains(&name) && s.shown.insert(name.clone()) {
        // Not while the focus goes to a button: an error line appearing above it would move it
        // from under the pointer between press and release, and the click would be lost. The
        // button's action draws the form again, this error with it.
        let to_button = ev
            .dyn_ref::<FocusEvent>()
            .and_then(FocusEvent::related_target)
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|e| e.tag_name() == "BUTTON");
        if !to_button {
            s.apply(&Changes::default(), Some(&name));
        }
    }
}

pub(super) fn on_click(at: &Rc<RefCell<Inner>>, ev: Event) {
    let Some(target) = target_element(&ev) else {
        return;
    };
    if at.try_borrow_mut().is_err() || (super::SERVICES && super::filing::on_click(at, &target)) {
        return;
    }
    if let Ok(Some(link)) = target.closest(".ef-summary a[href^='#']") {
        ev.prevent_default();
        let id = link
            .get_attribute("href")
            .unwrap_or_default()
            .trim_start_matches('#')
            .to_owned();
        let mut s = at.borrow_mut();
        // The field is on another page (the portal's refusal): that page first.
        if let Some(el) = s.element(&id)
            && el.closest(".ef-page--off").ok().flatten().is_some()
            && let Some(name) = el.get_attribute("name").or_else(|| el.get_attribute(ITEM))
        {
            s.page = s.page_of(&name);
            s.draw();
        }
        s.focus(&id);
        return;
    }
    if let Ok(Some(button)) = target.closest("button[data-ef-lang]") {
        let lang = button
            .get_attribute("data-ef-lang")
            .and_then(|l| Lang::parse(&l));
        if let Some(l) = lang {
            let mut s = at.borrow_mut();
            s.lang = l;
            s.draw();
            if s.site.is_some() {
                site_lang(&s);
            }
        }
        return;
    }
    if let Ok(Some(button)) = target.closest("button[data-ef-communes]") {
        // The button goes with the message: the focus waits on the province's list.
        if let Some(province) = button
            .closest(".ef-address")
            .ok()
            .flatten()
            .and_then(|f| f.query_selector("select").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = province.focus();
        }
        if let Some(code) = button.get_attribute("data-ef-communes") {
            at.borrow_mut().communes_failed.remove(&code);
        }
        super::units::load(at);
        return;
    }
    if let Ok(Some(button)) = target.closest("[data-ef-clear]") {
        // The file taken off: the data forgets it, the input is emptied and has the focus.
        let ptr = button.get_attribute("data-ef-clear").unwrap_or_default();
        let mut s = at.borrow_mut();
        let changes = s.state.set(&ptr, None);
        s.uploading.remove(&ptr);
        s.apply(&changes, Some(&ptr));
        let id = form_html::input::id_for(&ptr);
        if let Some(input) = s
            .element(&id)
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        {
            input.set_value("");
            let _ = input.focus();
        }
        s.changed_data();
        return;
    }
    if let Ok(Some(_)) = target.closest("[data-ef-carried-read]") {
        let mut s = at.borrow_mut();
        drafts::dismiss_carried(&s.draft_key);
        s.carried = None;
        s.draw();
        s.focus_selector(".ef-title");
        return;
    }
    if let Ok(Some(_)) = target.closest("[data-ef-start-again]") {
        // Asked with nothing borrowed: what finishes while the prompt is open (an upload, an
        // answer) still reaches the form.
        let lang = at.borrow().lang;
        let sure = web_sys::window().is_none_or(|w| {
            w.confirm_with_message(&Ui::StartAgainConfirm.get(lang))
                .unwrap_or(false)
        });
        let Ok(mut s) = at.try_borrow_mut() else {
            return;
        };
        if sure {
            drafts::clear(&s.draft_key);
            // In place, not by reloading: the host's page keeps its own state.
            if let Some((url, _)) = s.portal_sync.clone().filter(|_| super::SERVICES) {
                let services = s.services.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = services.delete(&url).await;
                });
            }
            s.state.replace(Value::Object(Map::new()));
            s.restored_at = None;
            s.changed.clear();
            s.shown.clear();
            s.submitted = false;
            s.attempted = None;
            s.refused = None;
            s.outcome = Outcome::Idle;
            s.page = 0;
            s.draw();
            s.focus_selector(".ef-title");
            s.changed_data();
        }
    }
}

/// The portal's page in a new language: the document's language and title, and the choice kept
/// (the cookie the portal draws its pages in; a preference, not a secret).
fn site_lang(s: &Inner) {
    let lang = s.lang;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", lang.tag());
    }
    set_title(s);
    if let Ok(d) = document.dyn_into::<web_sys::HtmlDocument>() {
        let _ = d.set_cookie(&form_html::lang_cookie(lang));
    }
}

/// The portal's page's title: the form's, or once filed what its confirmation says (as the
/// portal titles the receipt it draws without JavaScript).
pub(super) fn set_title(s: &Inner) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let title = match &s.outcome {
        Outcome::Received(_, awaiting) => Ui::received(*awaiting).get(s.lang),
        _ => s.form.definition().title.get(s.lang).to_owned(),
    };
    document.set_title(&format!("{title} — eform"));
}

/// Signing out of the portal's page: this browser forgets the citizen's drafts (they hold
/// register data), the portal ends the session and names where to go next — home, or the
/// identity provider's end-session page (asked for as JSON: a form's redirect to another
/// origin is refused by the page's `form-action 'self'`).
fn sign_out(at: &Rc<RefCell<Inner>>) {
    if let Ok(s) = at.try_borrow()
        && let Some(subject) = s.site.as_ref().and_then(|p| p.subject.as_deref())
    {
        drafts::clear_subject(subject);
    }
    wasm_bindgen_futures::spawn_local(async {
        let answer = fetch::send(
            "/signout",
            "POST",
            &wasm_bindgen::JsValue::from_str("{}"),
            &[
                ("content-type", "application/json"),
                ("accept", "application/json"),
            ],
        )
        .await;
        let next = answer
            .ok()
            .filter(|a| a.status == 200)
            .and_then(|a| serde_json::from_str::<Value>(&a.body).ok())
            .and_then(|v| v["next"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "/".to_owned());
        if let Some(w) = web_sys::window() {
            let _ = w.location().assign(&next);
        }
    });
}

pub(super) fn on_submit(at: &Rc<RefCell<Inner>>, ev: Event) {
    ev.prevent_default();
    if target_element(&ev).is_some_and(|f| f.has_attribute(form_html::site::SIGN_OUT)) {
        sign_out(at);
        return;
    }
    let button = ev
        .dyn_ref::<SubmitEvent>()
        .and_then(SubmitEvent::submitter)
        .and_then(|b| {
            let name = b.get_attribute("name")?;
            let value = b.get_attribute("value").unwrap_or_default();
            Some((name, value))
        });
    let Ok(mut s) = at.try_borrow_mut() else {
        return;
    };
    if s.outcome.busy() {
        return;
    }
    match button {
        Some((name, value)) if name == GO => {
            if let Ok(page) = value.parse() {
                s.go(page);
            }
        }
        Some((name, value)) if name == ACTION => s.row_action(&value),
        _ => {
            s.submitted = true;
            s.refused = None;
            s.outcome = Outcome::Idle;
            if !s.state.validate_all().is_empty() {
                s.draw();
                s.focus_selector(".ef-summary");
                return;
            }
            // Nobody signed in on the portal's page: the way to sign in, without asking intake
            // first (what was typed stays in this browser's draft). The page's build without
            // the services, which an anonymous visitor gets, does the same.
            if s.nobody_signed_in() {
                s.outcome = Outcome::SignIn;
                s.draw();
                s.focus_selector(".ef-result");
                return;
            }
            if super::SERVICES && s.intake.is_some() {
                drop(s);
                super::filing::submit(at);
                return;
            }
            let submission = s.state.evaluation().data.clone();
            let Some(url) = s.check_url.clone() else {
                // No portal to ask: the browser's verdict is the acknowledgement.
                drafts::clear(&s.draft_key);
                s.outcome = Outcome::Accepted;
                s.draw();
                s.focus_selector(".ef-result");
                emit_later(&s.host, "eform:submitted", json!({ "data": submission }));
                return;
            };
            s.outcome = Outcome::Checking;
            s.draw();
            drop(s);
            let at = at.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = fetch::request(&url, Some(&submission.to_string())).await;
                let Ok(mut s) = at.try_borrow_mut() else {
                    return;
                };
                match answer {
                    Ok(a) if a.status == 200 || a.status == 201 => {
                        drafts::clear(&s.draft_key);
                        s.outcome = Outcome::Accepted;
                        emit_later(&s.host, "eform:submitted", json!({ "data": submission }));
                    }
                    Ok(a) if a.status == 422 => {
                        s.outcome = Outcome::Idle;
                        s.refused = Some(fetch::diagnostics_of(&a.body));
                    }
                    _ => s.outcome = Outcome::Failed,
                }
                s.draw();
                if s.refused.is_some() {
                    s.focus_selector(".ef-summary");
                } else {
                    s.focus_selector(".ef-result");
                }
            });
        }
    }
}
