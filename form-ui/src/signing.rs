//! The Sign step of a form that must be signed (design §5): the citizen's certificate from the
//! portal's bridge (holder, issuer, validity), then hash signing — form-core builds the signed
//! attributes, only their hash goes to the bridge, the citizen approves in their signing app —
//! and the detached CAdES signature assembled here. Every failure (a certificate out of its
//! validity or not the citizen's, rejected, expired, the provider's error, the bridge
//! unreachable) says so and offers to try again; the filled form is never lost.
//!
//! The certificate, the signed attributes and the CMS are the signing module's work
//! (`form-sign`, a WebAssembly module of its own loaded here on first use: most citizens never
//! sign, and its code is a third of the runtime's); this step only talks to the bridge.

use crate::i18n::Ui;
use crate::services::Services;
use form_bind::sign::{Credential, Loader, credential, sign_data, signed_out};
use form_core::{Form, Lang, Text};
use leptos::prelude::*;
use serde_json::Value;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsValue;

#[wasm_bindgen::prelude::wasm_bindgen(module = "/signer.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn load_signer() -> Result<js_sys::Promise, JsValue>;
}

/// Where the signing module comes from: this runtime's copy, beside its files.
fn loader() -> Loader {
    Rc::new(load_signer)
}

#[derive(Clone)]
enum Stage {
    Loading,
    Ready(Arc<Credential>),
    Waiting(Arc<Credential>),
    Failed(Text, Option<Arc<Credential>>),
}

/// Tells `on_signed_out` when `failure` is the bridge's 401.
fn told_signed_out(failure: &Text, on_signed_out: Option<UnsyncCallback<()>>) {
    if let Some(cb) = on_signed_out
        && *failure == signed_out()
    {
        cb.run(());
    }
}

/// The Sign step: shows the certificate, signs, and hands `(data, signature)` on.
#[component]
pub fn SignStep(
    form: Arc<Form>,
    /// The submission to sign (what will be sent, exactly).
    data: Value,
    lang: RwSignal<Lang>,
    /// Where the bridge is (the portal's own, or an embedding host's).
    services: Services,
    on_signed: UnsyncCallback<(Value, String)>,
    on_cancel: UnsyncCallback<()>,
    /// The sign button's words (default "Sign and send").
    #[prop(optional)]
    action: Option<Text>,
    /// The way-back button's words (default "Back to the form").
    #[prop(optional)]
    back: Option<Text>,
    /// Called when the bridge answers 401 (an embedding host's cue to sign the citizen in),
    /// besides the message shown.
    #[prop(optional_no_strip)]
    on_signed_out: Option<UnsyncCallback<()>>,
) -> impl IntoView {
    let action = action.unwrap_or_else(|| Ui::SignAndSend.text());
    let back = back.unwrap_or_else(|| Ui::BackToForm.text());
    let region = NodeRef::<leptos::html::Div>::new();
    // Drawn in place of what was clicked: the keyboard's focus moves here.
    request_animation_frame(move || {
        if let Some(el) = region.get_untracked() {
            let _ = el.focus();
        }
    });
    let stage = RwSignal::new(Stage::Loading);
    let services = StoredValue::new_local(services);
    let load = move || {
        stage.set(Stage::Loading);
        let services = services.get_value();
        leptos::task::spawn_local(async move {
            stage.set(match credential(&services, &loader()).await {
                Ok(c) => Stage::Ready(Arc::new(c)),
                Err(t) => {
                    told_signed_out(&t, on_signed_out);
                    Stage::Failed(t, None)
                }
            });
        });
    };
    load();
    let data = StoredValue::new(data);
    let form = StoredValue::new(form);
    let start = move |cred: Arc<Credential>| {
        stage.set(Stage::Waiting(cred.clone()));
        let (services, data_now, form) = (services.get_value(), data.get_value(), form.get_value());
        leptos::task::spawn_local(async move {
            match sign_data(&services, &loader(), &form, &data_now, &cred).await {
                Ok(p7s) => on_signed.run((data_now, p7s)),
                Err(t) => {
                    told_signed_out(&t, on_signed_out);
                    stage.set(Stage::Failed(t, Some(cred)))
                }
            }
        });
    };
    let cert_view = move |c: &Credential| {
        let holder = match &c.serial {
            Some(s) => format!("{} ({s})", c.holder),
            None => c.holder.clone(),
        };
        view! {
            <dl class="ef-meta" data-testid="certificate">
                <dt>{move || Ui::Signer.get(lang.get())}</dt><dd>{holder}</dd>
                <dt>{move || Ui::IssuedBy.get(lang.get())}</dt><dd>{c.issuer.clone()}</dd>
                <dt>{move || Ui::Valid.get(lang.get())}</dt><dd>{c.valid.clone()}</dd>
            </dl>
        }
    };
    view! {
        <div class="ef-panel" role="region" aria-labelledby="ef-sign-title" data-testid="sign-step" tabindex="-1" node_ref=region>
            <h2 id="ef-sign-title" class="ef-section__title">{move || Ui::SignTitle.get(lang.get())}</h2>
            {move || match stage.get() {
                Stage::Loading => view! { <p role="status">{Ui::SignGetting.get(lang.get())}</p> }.into_any(),
                Stage::Ready(c) => {
                    let go = c.clone();
                    view! {
                        <p>{Ui::SignIntro.get(lang.get())}</p>
                        {cert_view(&c)}
                        <div class="ef-actions">
                            <button type="button" class="ef-button" data-testid="sign-start" on:click=move |_| start(go.clone())>{action.get(lang.get()).to_owned()}</button>
                            <button type="button" class="ef-button ef-button--secondary" on:click=move |_| on_cancel.run(())>{back.get(lang.get()).to_owned()}</button>
                        </div>
                    }.into_any()
                }
                Stage::Waiting(c) => {
                    let dev = c.id.starts_with("dev-");
                    view! {
                        {cert_view(&c)}
                        <p role="status" data-testid="sign-waiting" class="ef-progress">{Ui::SignWaiting.get(lang.get())}</p>
                        {dev.then(|| view! { <p class="ef-hint"><a href="/dev/signer" target="_blank" rel="noopener">{Ui::DevSigner.get(lang.get())}</a></p> })}
                    }.into_any()
                }
                Stage::Failed(msg, cred) => view! {
                    <p role="alert" class="ef-error" data-testid="sign-failed">{msg.get(lang.get()).to_owned()}</p>
                    <div class="ef-actions">
                        <button type="button" class="ef-button" data-testid="sign-retry" on:click=move |_| match cred.clone() { Some(c) => start(c), None => load() }>{Ui::TryAgain.get(lang.get())}</button>
                        <button type="button" class="ef-button ef-button--secondary" on:click=move |_| on_cancel.run(())>{back.get(lang.get()).to_owned()}</button>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
