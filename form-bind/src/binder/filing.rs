//! What a bound form does with the host's services: the dossier filed with an idempotency key
//! (retried while the service is unreachable), the Sign step through the bridge before it when
//! the form must be signed, files uploaded as they are picked, a mistake in a verified value
//! reported, the consent dialog that keeps declared values once the dossier is acknowledged,
//! and the notices of what the data store and the drafts service did to the form.

use super::{Inner, Outcome};
use crate::host::{emit, emit_later};
use crate::services::Filed;
use crate::sign::{self, Credential};
use crate::{drafts, fetch, store};
use form_core::Text;
use form_html::{Ui, esc};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlDialogElement, HtmlTextAreaElement};

/// Where the Sign step is.
#[derive(Clone)]
pub(super) enum SignStage {
    Loading,
    Ready(Rc<Credential>),
    Waiting(Rc<Credential>),
    Failed(Text, Option<Rc<Credential>>),
}

/// The citizen's answer to keeping declared values.
#[derive(Clone)]
pub(super) enum KeepAnswer {
    Asking,
    Saving,
    Kept,
    Declined,
    Failed(Text),
}

/// The heading of the confirmation drawn in place of the form on the portal's page
/// (`form_html::site::receipt`): the focus goes there.
const RECEIVED_HEADING: &str = "[data-testid=received] h1";

/// How many times a dossier is sent again while the service is unreachable.
const RETRIES: u32 = 3;

/// The form is valid and files dossiers: signed first when it must be, then sent.
pub(super) fn submit(at: &Rc<RefCell<Inner>>) {
    let needs_signature = at
        .borrow()
        .form
        .definition()
        .signature
        .as_ref()
        .is_some_and(|s| s.required);
    if needs_signature {
        // Busy at once (the button waits), signed once every file has finished uploading: its
        // `sha256` is part of what is signed.
        if let Ok(mut s) = at.try_borrow_mut() {
            s.outcome = Outcome::Checking;
            s.draw();
        }
        let at = at.clone();
        wasm_bindgen_futures::spawn_local(async move {
            wait_uploads(&at).await;
            {
                let Ok(mut s) = at.try_borrow_mut() else {
                    return;
                };
                if !matches!(s.outcome, Outcome::Checking) {
                    return;
                }
                let data = Rc::new(s.state.evaluation().data.clone());
                s.outcome = Outcome::Signing(data, SignStage::Loading);
                s.draw();
                s.focus_selector("[data-testid=sign-step]");
            }
            load_credential(&at).await;
        });
    } else {
        send(at.clone(), None);
    }
}

async fn wait_uploads(at: &Rc<RefCell<Inner>>) {
    while at.borrow().uploads.get() > 0 {
        fetch::sleep(100).await;
    }
}

/// Sets the outcome and draws the form again, once nothing else holds it.
fn show(at: &Rc<RefCell<Inner>>, outcome: Outcome, focus: &str) {
    if let Ok(mut s) = at.try_borrow_mut() {
        s.outcome = outcome;
        s.draw();
        s.focus_selector(focus);
    }
}

/// Tells the host the citizen must sign in (its service answered 401).
fn signed_out(s: &Inner) {
    emit_later(
        &s.host,
        "eform:error",
        json!({"code": "sign-in-required", "message": Ui::SignInToSubmit.text()}),
    );
}

async fn load_credential(at: &Rc<RefCell<Inner>>) {
    let (services, loader) = {
        let s = at.borrow();
        (s.services.clone(), s.signer.clone())
    };
    let Some(loader) = loader else {
        set_stage(at, SignStage::Failed(sign::not_loaded(), None));
        return;
    };
    let stage = match sign::credential(&services, &loader).await {
        Ok(c) => SignStage::Ready(Rc::new(c)),
        Err(t) => SignStage::Failed(t, None),
    };
    set_stage(at, stage);
}

/// The Sign step moves on (while it is still shown).
fn set_stage(at: &Rc<RefCell<Inner>>, stage: SignStage) {
    let Ok(mut s) = at.try_borrow_mut() else {
        return;
    };
    let Outcome::Signing(data, _) = &s.outcome else {
        return;
    };
    if let SignStage::Failed(t, _) = &stage
        && *t == sign::signed_out()
    {
        signed_out(&s);
    }
    s.outcome = Outcome::Signing(data.clone(), stage);
    s.draw();
    s.focus_selector("[data-testid=sign-step] button");
}

/// Asks the bridge to sign with `cred`; the dossier goes once the citizen approved.
fn start_signing(at: &Rc<RefCell<Inner>>, cred: Rc<Credential>) {
    let (services, loader, form, data) = {
        let s = at.borrow();
        let Outcome::Signing(data, _) = &s.outcome else {
            return;
        };
        let Some(loader) = s.signer.clone() else {
            return;
        };
        (s.services.clone(), loader, s.form.clone(), data.clone())
    };
    set_stage(at, SignStage::Waiting(cred.clone()));
    let at = at.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match sign::sign_data(&services, &loader, &form, &data, &cred).await {
            Ok(p7s) => {
                let data = Value::clone(&data);
                // Nothing borrowed while the host hears it: its listener may call the form.
                let host = at.borrow().host.clone();
                emit(
                    &host,
                    "eform:signed",
                    &json!({"data": data, "signature": p7s}),
                );
                send(at.clone(), Some((data, p7s)));
            }
            Err(t) => set_stage(&at, SignStage::Failed(t, Some(cred))),
        }
    });
}

/// Files the dossier (the data signed, with its signature, when it was signed) under an
/// idempotency key kept beside the draft until the service acknowledges it, so that a retry
/// after a lost answer files it once.
fn send(at: Rc<RefCell<Inner>>, signed: Option<(Value, String)>) {
    let Ok(mut s) = at.try_borrow_mut() else {
        return;
    };
    let Some(url) = s.intake.clone() else {
        return;
    };
    let key_slot = format!("{}.submission-key", s.draft_key);
    let key = drafts::get_item(&key_slot).unwrap_or_else(|| {
        let k = fetch::new_key();
        drafts::set_item(&key_slot, &k);
        k
    });
    s.outcome = Outcome::Sending(0);
    s.draw();
    drop(s);
    wasm_bindgen_futures::spawn_local(async move {
        wait_uploads(&at).await;
        let (body, data, services, draft_key) = {
            let s = at.borrow();
            let (data, signature) = match signed {
                Some((data, cms)) => (data, Some(json!({ "cms": cms }))),
                None => (s.state.evaluation().data.clone(), None),
            };
            let d = s.form.definition();
            let mut body = json!({ "formId": d.id, "formVersion": d.version, "data": &data });
            if let Some(sig) = signature {
                body["signature"] = sig;
            }
            (
                body.to_string(),
                data,
                s.services.clone(),
                s.draft_key.clone(),
            )
        };
        let mut attempt = 0;
        let next = loop {
            match services.file(&url, &body, &key).await {
                Filed::Code(code, awaiting) => break Outcome::Received(code, awaiting),
                Filed::SignedOut => break Outcome::SignIn,
                Filed::Rejected(why) => break Outcome::Rejected(why),
                Filed::Refused(diagnostics) => {
                    let Ok(mut s) = at.try_borrow_mut() else {
                        return;
                    };
                    s.refused = Some(diagnostics);
                    s.outcome = Outcome::Idle;
                    s.draw();
                    s.focus_selector(".ef-summary");
                    return;
                }
                Filed::Again if attempt < RETRIES => {
                    attempt += 1;
                    show(&at, Outcome::Sending(attempt), ".ef-result");
                    fetch::sleep(1000 * (1 << (attempt - 1))).await;
                }
                Filed::Again => break Outcome::Failed,
            }
        };
        let Ok(mut s) = at.try_borrow_mut() else {
            return;
        };
        match &next {
            Outcome::Received(code, _) => {
                drafts::clear(&draft_key);
                drafts::remove_item(&key_slot);
                // Filed: the copy on the host's drafts service goes too.
                if let Some((url, _)) = s.portal_sync.clone() {
                    let services = services.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = services.delete(&url).await;
                    });
                }
                emit_later(
                    &s.host,
                    "eform:submitted",
                    json!({ "data": data, "code": code }),
                );
                // Keep the declared values for next time? Asked here, once the dossier is
                // acknowledged, in a dialog over the confirmation.
                if let Some(values) = &s.store
                    && let Some(offer) = store::offer_for(&s.form, &data, values)
                {
                    s.keep = Some((offer, KeepAnswer::Asking));
                }
                // The portal's page shows the confirmation in place of the form (no page to
                // load on a slow phone) under the dossier's own address: a reload shows its
                // full receipt, not an empty form to file again. (An answer without a code,
                // against the protocol, leaves the address as it is.)
                if s.site.is_some()
                    && !code.is_empty()
                    && let Some(h) = web_sys::window().and_then(|w| w.history().ok())
                {
                    let _ = h.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&format!(
                            "/d/{}?new=1",
                            form_core::percent_encode(code, b"")
                        )),
                    );
                }
            }
            Outcome::SignIn => signed_out(&s),
            _ => {}
        }
        let focus = match (&next, &s.site) {
            (Outcome::Received(..), Some(_)) => RECEIVED_HEADING,
            _ => ".ef-result",
        };
        s.outcome = next;
        s.draw();
        if s.site.is_some() {
            super::events::set_title(&s);
        }
        s.focus_selector(focus);
    });
}

/// A click on one of the services' buttons: the Sign step's, the consent dialog's, "send the
/// report", "I have read this". Whether it was one.
pub(super) fn on_click(at: &Rc<RefCell<Inner>>, target: &Element) -> bool {
    let closest = |sel: &str| target.closest(sel).ok().flatten();
    if let Some(b) = closest("[data-ef-sign]") {
        let stage = match &at.borrow().outcome {
            Outcome::Signing(_, stage) => stage.clone(),
            _ => return true,
        };
        match (b.get_attribute("data-ef-sign").as_deref(), stage) {
            (Some("back"), _) => show(at, Outcome::Idle, ".ef-actions button[type=submit]"),
            (Some("start"), SignStage::Ready(c))
            | (Some("retry"), SignStage::Failed(_, Some(c))) => start_signing(at, c),
            (Some("retry"), SignStage::Failed(_, None)) => {
                set_stage(at, SignStage::Loading);
                let at = at.clone();
                wasm_bindgen_futures::spawn_local(async move { load_credential(&at).await });
            }
            _ => {}
        }
        return true;
    }
    if let Some(b) = closest("[data-ef-keep]") {
        match b.get_attribute("data-ef-keep").as_deref() {
            Some("agree") => keep(at),
            _ => decline(at),
        }
        return true;
    }
    if let Some(report) = closest("[data-ef-send-report]").and_then(|_| closest("[data-ef-report]"))
    {
        send_report(at, &report);
        return true;
    }
    false
}

/// Escape on the consent dialog: "Not now".
pub(super) fn on_cancel(at: &Rc<RefCell<Inner>>, ev: Event) {
    let is_keep = ev
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|t| t.get_attribute("data-testid").as_deref() == Some("keep-dialog"));
    if is_keep {
        decline(at);
    }
}

fn decline(at: &Rc<RefCell<Inner>>) {
    let Ok(mut s) = at.try_borrow_mut() else {
        return;
    };
    if let Some((_, answer)) = &mut s.keep {
        *answer = KeepAnswer::Declined;
    }
    s.close_dialog();
    s.draw();
    refocus(&s);
}

/// Once the consent dialog has closed: on the portal's page the confirmation's heading takes the
/// focus (the form's button the dialog would give it back to is gone); under an embedded form it
/// goes back where it was.
fn refocus(s: &Inner) {
    if s.site.is_some() && matches!(s.outcome, Outcome::Received(..)) {
        s.focus_selector(RECEIVED_HEADING);
    }
}

fn keep(at: &Rc<RefCell<Inner>>) {
    let Ok(mut s) = at.try_borrow_mut() else {
        return;
    };
    let Some((offer, answer)) = &mut s.keep else {
        return;
    };
    *answer = KeepAnswer::Saving;
    let offer = offer.clone();
    let services = s.services.clone();
    s.draw();
    drop(s);
    let at = at.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let next = match store::keep(&services, &offer).await {
            Ok(()) => KeepAnswer::Kept,
            Err(t) => KeepAnswer::Failed(t),
        };
        if let Ok(mut s) = at.try_borrow_mut() {
            let kept = matches!(next, KeepAnswer::Kept);
            if let Some((_, answer)) = &mut s.keep {
                *answer = next;
            }
            // Closed before it goes: the focus returns where it was.
            if kept {
                s.close_dialog();
            }
            s.draw();
            if kept {
                refocus(&s);
            }
        }
    });
}

/// Sends what the citizen wrote about the verified value under `report`.
fn send_report(at: &Rc<RefCell<Inner>>, report: &Element) {
    let Some(ptr) = report.get_attribute("data-ef-report") else {
        return;
    };
    let message = report
        .query_selector("textarea")
        .ok()
        .flatten()
        .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .unwrap_or_default();
    let Ok(mut s) = at.try_borrow_mut() else {
        return;
    };
    let Some(key) = s.provenance.get(&ptr).map(|p| p.key.clone()) else {
        return;
    };
    // On its way or taken already: once.
    if s.reports.get(&ptr).is_some_and(|(_, closed)| *closed) {
        return;
    }
    let d = s.form.definition();
    let (form_id, version) = (d.id.clone(), d.version);
    let services = s.services.clone();
    s.reports
        .insert(ptr.clone(), (Text::new("Đang gửi…", "Sending…"), true));
    s.redraw_items(std::slice::from_ref(&ptr));
    drop(s);
    let at = at.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let next = match store::report(&services, &key, &message, &form_id, version).await {
            Ok(()) => (Ui::ReportSent.text(), true),
            Err(t) => (t, false),
        };
        if let Ok(mut s) = at.try_borrow_mut() {
            s.reports.insert(ptr.clone(), next);
            s.redraw_items(std::slice::from_ref(&ptr));
        }
    });
}

/// A file picked for an attachment goes to the host's intake at once; its value gets the
/// `sha256` intake stored it under (if the citizen has not picked another file meanwhile).
pub(super) fn upload(
    at: &Rc<RefCell<Inner>>,
    ptr: String,
    multiple: bool,
    files: Vec<web_sys::File>,
) {
    let (services, uploads) = {
        let s = at.borrow();
        // Nobody signed in on the portal's page: nothing can be uploaded yet (the file is
        // checked, and picked again once signed in).
        if s.intake.is_none() || files.is_empty() || s.nobody_signed_in() {
            return;
        }
        (s.services.clone(), s.uploads.clone())
    };
    uploads.set(uploads.get() + 1);
    if let Ok(mut s) = at.try_borrow_mut() {
        s.uploading.insert(ptr.clone(), Ui::Uploading);
        s.redraw_items(std::slice::from_ref(&ptr));
    }
    let at = at.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let mut ok = true;
        for (i, file) in files.iter().enumerate() {
            let Some(sha) = services.upload(file).await else {
                ok = false;
                continue;
            };
            let slot = if multiple {
                format!("{ptr}/{i}")
            } else {
                ptr.clone()
            };
            let Ok(mut s) = at.try_borrow_mut() else {
                continue;
            };
            if let Some(v) = crate::services::with_hash(
                form_core::pointer::get(s.state.data(), &slot),
                file,
                sha,
            ) {
                let changes = s.state.set(&slot, Some(v));
                s.apply(&changes, Some(&ptr));
                s.changed_data();
            }
        }
        uploads.set(uploads.get().saturating_sub(1));
        if let Ok(mut s) = at.try_borrow_mut() {
            let state = if ok { Ui::Uploaded } else { Ui::UploadFailed };
            s.uploading.insert(ptr.clone(), state);
            s.redraw_items(std::slice::from_ref(&ptr));
        }
    });
}

impl Inner {
    /// The notices above the form: typed values the register replaced, a data store that
    /// could not be reached.
    pub(super) fn notices(&self) -> String {
        let lang = self.lang;
        let mut html = String::new();
        if !self.replaced.is_empty() {
            let names = self
                .replaced
                .iter()
                .map(|t| t.get(lang))
                .collect::<Vec<_>>()
                .join(", ");
            html.push_str(&format!(
                "<div class=\"ef-panel\" role=\"status\" data-testid=\"replaced-by-register\"><p>{}</p></div>",
                esc(&Ui::ReplacedByRegister.get(lang).replace("{}", &names))
            ));
        }
        if self.store_down {
            html.push_str(&format!(
                "<div class=\"ef-panel ef-panel--warn\" role=\"status\" data-testid=\"store-down\"><p>{}</p></div>",
                esc(&Ui::StoreDown.get(lang))
            ));
        }
        html
    }

    /// What became of the submission, under the form.
    pub(super) fn outcome_html(&self) -> String {
        let t = |u: Ui| esc(&u.get(self.lang));
        match &self.outcome {
            Outcome::Accepted => format!(
                "<div class=\"ef-panel ef-panel--ok\" data-testid=\"accepted\"><h2>{}</h2><p>{}</p></div>",
                t(Ui::CheckedTitle),
                t(Ui::CheckedBody)
            ),
            Outcome::Failed => format!(
                "<div class=\"ef-panel ef-panel--warn\" role=\"alert\" data-testid=\"send-failed\"><p>{}</p></div>",
                t(Ui::NetworkError)
            ),
            Outcome::Sending(n) => format!(
                "<p class=\"ef-hint\" data-testid=\"sending\">{}</p>",
                if *n == 0 {
                    t(Ui::Sending)
                } else {
                    esc(&Ui::Retrying.get(self.lang).replace("{}", &n.to_string()))
                }
            ),
            Outcome::Received(code, awaiting) => format!(
                "<div class=\"ef-panel ef-panel--ok\" data-testid=\"received\"><h2>{}</h2><p>{} <strong>{}</strong></p></div>",
                t(Ui::received(*awaiting)),
                t(Ui::DossierCode),
                esc(code)
            ),
            Outcome::SignIn => format!(
                "<div class=\"ef-panel ef-panel--warn\" role=\"alert\" data-testid=\"sign-in-needed\"><p>{}</p>{}</div>",
                t(Ui::SignInToSubmit),
                // On the portal's page: the way to sign in and come back.
                self.site.as_ref().map_or(String::new(), |site| format!(
                    "<p><a class=\"ef-button\" href=\"{}\">{}</a></p>",
                    esc(&form_html::site::sign_in_url(&site.here, self.lang)),
                    t(Ui::SignIn)
                ))
            ),
            Outcome::Rejected(why) => format!(
                "<div class=\"ef-panel ef-panel--warn\" role=\"alert\" data-testid=\"rejected\"><p>{}</p></div>",
                esc(why.get(self.lang))
            ),
            Outcome::Signing(_, stage) if super::SERVICES => self.sign_html(stage),
            Outcome::Idle | Outcome::Checking | Outcome::Signing(..) => String::new(),
        }
    }

    /// The Sign step: the certificate, then waiting for the citizen's approval; a failure says
    /// why and offers to try again.
    fn sign_html(&self, stage: &SignStage) -> String {
        let t = |u: Ui| esc(&u.get(self.lang));
        let button = |what: &str, label: Ui, secondary: bool| {
            format!(
                "<button type=\"button\" class=\"ef-button{}\" data-testid=\"sign-{what}\" data-ef-sign=\"{what}\">{}</button>",
                if secondary {
                    " ef-button--secondary"
                } else {
                    ""
                },
                t(label)
            )
        };
        let cert = |c: &Credential| {
            let holder = match &c.serial {
                Some(s) => format!("{} ({s})", c.holder),
                None => c.holder.clone(),
            };
            format!(
                "<dl class=\"ef-meta\" data-testid=\"certificate\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>",
                t(Ui::Signer),
                esc(&holder),
                t(Ui::IssuedBy),
                esc(&c.issuer),
                t(Ui::Valid),
                esc(&c.valid)
            )
        };
        let body = match stage {
            SignStage::Loading => format!("<p role=\"status\">{}</p>", t(Ui::SignGetting)),
            SignStage::Ready(c) => format!(
                "<p>{}</p>{}<div class=\"ef-actions\">{}{}</div>",
                t(Ui::SignIntro),
                cert(c),
                button("start", Ui::SignAndSend, false),
                button("back", Ui::BackToForm, true)
            ),
            SignStage::Waiting(c) => {
                let dev = if c.id.starts_with("dev-") {
                    format!(
                        "<p class=\"ef-hint\"><a href=\"/dev/signer\" target=\"_blank\" rel=\"noopener\">{}</a></p>",
                        t(Ui::DevSigner)
                    )
                } else {
                    String::new()
                };
                format!(
                    "{}<p role=\"status\" data-testid=\"sign-waiting\" class=\"ef-progress\">{}</p>{dev}",
                    cert(c),
                    t(Ui::SignWaiting)
                )
            }
            SignStage::Failed(why, _) => format!(
                "<p role=\"alert\" class=\"ef-error\" data-testid=\"sign-failed\">{}</p><div class=\"ef-actions\">{}{}</div>",
                esc(why.get(self.lang)),
                button("retry", Ui::TryAgain, false),
                button("back", Ui::BackToForm, true)
            ),
        };
        format!(
            "<div class=\"ef-panel\" role=\"region\" aria-labelledby=\"ef-sign-title\" data-testid=\"sign-step\" tabindex=\"-1\"><h2 id=\"ef-sign-title\" class=\"ef-section__title\">{}</h2>{body}</div>",
            t(Ui::SignTitle)
        )
    }

    /// The consent dialog once a dossier is filed: exactly the values that would be kept,
    /// "Agree" or "Not now"; then what became of them.
    pub(super) fn keep_html(&self) -> String {
        let Some((offer, answer)) = &self.keep else {
            return String::new();
        };
        let t = |u: Ui| esc(&u.get(self.lang));
        let outcome = match answer {
            KeepAnswer::Kept => t(Ui::KeepDone),
            KeepAnswer::Declined => t(Ui::KeepNone),
            _ => String::new(),
        };
        let status = format!("<p role=\"status\" data-testid=\"keep-outcome\">{outcome}</p>");
        if matches!(answer, KeepAnswer::Kept | KeepAnswer::Declined) {
            return status;
        }
        let rows: String = store::offered_rows(&self.form, offer, self.lang)
            .iter()
            .map(|(label, value)| format!("<dt>{}</dt><dd>{}</dd>", esc(label), esc(value)))
            .collect();
        let failed = match answer {
            KeepAnswer::Failed(why) => esc(why.get(self.lang)),
            _ => String::new(),
        };
        let saving = if matches!(answer, KeepAnswer::Saving) {
            " disabled"
        } else {
            ""
        };
        format!(
            "<dialog class=\"ef-dialog\" aria-labelledby=\"keep-title\" data-testid=\"keep-dialog\"><h2 id=\"keep-title\" class=\"ef-dialog__title\" tabindex=\"-1\" autofocus>{}</h2><p>{}</p><dl class=\"ef-meta\" data-testid=\"keep-values\">{rows}</dl><p role=\"alert\" class=\"ef-error\">{failed}</p><div class=\"ef-actions\"><button type=\"button\" class=\"ef-button\" data-testid=\"keep-agree\" data-ef-keep=\"agree\"{saving}>{}</button><button type=\"button\" class=\"ef-button ef-button--secondary\" data-testid=\"keep-decline\" data-ef-keep=\"decline\">{}</button></div></dialog>{status}",
            t(Ui::KeepTitle),
            t(Ui::KeepBody),
            t(Ui::KeepAgree),
            t(Ui::KeepDecline)
        )
    }

    /// The consent dialog closed (before its drawing goes, so the focus returns where it was).
    pub(super) fn close_dialog(&self) {
        if let Ok(Some(d)) = self.root.query_selector("dialog[data-testid=keep-dialog]")
            && let Ok(d) = d.dyn_into::<HtmlDialogElement>()
        {
            d.close();
        }
    }

    /// The consent dialog, drawn closed, opened as a modal (once).
    pub(super) fn open_dialog(&self) {
        if let Ok(Some(d)) = self.root.query_selector("dialog[data-testid=keep-dialog]")
            && let Ok(d) = d.dyn_into::<HtmlDialogElement>()
            && !d.open()
        {
            let _ = d.show_modal();
        }
    }
}
