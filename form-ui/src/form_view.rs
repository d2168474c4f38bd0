//! The form: title, error summary, pages of sections of widgets, and the submit button.
//!
//! Long on purpose: the Leptos view of a form, which issue 21's binder replaces; split now, it
//! would be moved twice.

use crate::dom_id;
use crate::drafts;
use crate::fetch;
use crate::i18n::Ui;
use crate::services::Services;
use crate::widgets;
use form_bind::services::Filed;
use form_core::datastore::Attribute;
use form_core::{Diagnostic, Form, Lang, Text, pointer};
use leptos::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use crate::ctx::FormCtx;
use crate::ctx::today;

/// Where a submission stands.
#[derive(Clone, PartialEq)]
enum Outcome {
    Idle,
    Checking,
    Accepted,
    /// The portal disagreed: its diagnostics (data pointers).
    Refused(Vec<Diagnostic>),
    Failed,
    /// Sending to the portal's intake; the number of the retry (0: first try).
    Sending(u32),
    /// The portal took the dossier: its code.
    Received(String),
    /// Submitting needs a session (none, or it expired).
    SignIn,
    /// The portal refused for another reason: its message.
    Rejected(Text),
    /// The form must be signed: the Sign step, with the submission it signs (an amendment).
    #[cfg_attr(not(feature = "services"), allow(dead_code))]
    Signing(Value),
}

/// Submitting as a dossier to the portal's intake (instead of only checking).
#[derive(Clone)]
pub struct Intake {
    /// `POST` target: `/api/v1/dossiers`, or a dossier's `/amendments`.
    pub url: String,
    /// An amendment's body is `{data}`; a submission's names the form and its version.
    pub amendment: bool,
    /// Whether someone is signed in (else the citizen is asked to sign in; the draft stays).
    pub signed_in: bool,
    /// The sign-in page, coming back here (none: an embedding host signs citizens in its own
    /// way, told by `on_signed_out`).
    pub sign_in_url: Option<String>,
    /// Called when the service (or, signing, the bridge) answers that nobody is signed in.
    pub on_signed_out: Option<UnsyncCallback<()>>,
    /// Called with the dossier code and the data sent once the portal acknowledged it.
    pub on_done: UnsyncCallback<(String, Value)>,
}

/// Draws `form` and lets the citizen fill it in.
#[component]
pub fn FormView(
    /// The loaded form.
    form: Arc<Form>,
    /// The language to show; switching it keeps the data.
    lang: RwSignal<Lang>,
    /// Data to start from (a draft or prefill).
    #[prop(optional_no_strip)]
    initial: Option<Value>,
    /// Where the portal re-checks data on submit (`POST`, JSON body); none: client-side only.
    #[prop(optional_no_strip)]
    check_url: Option<String>,
    /// Where the form's elements live: the document (default) or an embed's shadow root.
    #[prop(optional)]
    root: Option<dom_id::Root>,
    /// Called with the data after every change.
    #[prop(optional)]
    on_change: Option<UnsyncCallback<Value>>,
    /// Called with the data when the portal has accepted it.
    #[prop(optional)]
    on_submitted: Option<UnsyncCallback<Value>>,
    /// Called once with the form's state, for a host page's API (set data, validate).
    #[prop(optional)]
    on_ready: Option<UnsyncCallback<FormCtx>>,
    /// Submit as a dossier to the portal (with an idempotency key, retried on network failure).
    #[prop(optional_no_strip)]
    intake: Option<Intake>,
    /// Whose drafts these are (the signed-in user, and what they amend): their draft comes
    /// back even when the caller gives data to start from.
    #[prop(optional_no_strip)]
    draft_subject: Option<String>,
    /// The citizen's data store's answer for the keys the form binds (`Err`: unreachable):
    /// empty bound fields are filled from it; what the data holds is never replaced.
    #[prop(optional_no_strip)]
    store: Option<Result<BTreeMap<String, Attribute>, ()>>,
    /// Later versions of the form, as they come (the builder's live preview; with the `live`
    /// feature): each replaces the form drawn, keeping what was typed.
    #[prop(optional)]
    live: Option<Signal<Arc<Form>>>,
    /// The signed-in citizen's draft on the portal (save and resume on another device): the
    /// newer of it and this browser's comes back, and typing is saved there too.
    #[prop(default = None)]
    portal_draft: Option<drafts::PortalDraft>,
    /// The citizen's services (data store, bridge, intake, drafts) and how to reach them; none: the
    /// form only fills in and checks.
    #[prop(optional)]
    services: Option<Services>,
    /// Called with `{data, signature}` (the detached CAdES signature, base64) once the citizen
    /// has signed, before the dossier is sent.
    #[prop(optional)]
    on_signed: Option<UnsyncCallback<Value>>,
) -> impl IntoView {
    // The draft to start from (unless the caller gives the data): this browser's, or the
    // portal's when it was written elsewhere since; an earlier version's carried over.
    let drafts::Start {
        key: draft_key,
        restored,
        from_portal,
        portal_sync,
    } = drafts::start(
        &form,
        draft_subject.as_deref(),
        initial.is_some(),
        portal_draft,
    );
    let restored_at = restored.as_ref().map(|d| d.saved_at);
    let start = initial
        .or(restored.map(|d| d.data))
        .unwrap_or_else(|| Value::Object(Default::default()));
    widgets::intern_common();
    let (start, prefilled, store_down) = match &store {
        Some(Ok(attributes)) => {
            let p = form_core::datastore::prefill(&form, &start, attributes, today());
            (p.data.clone(), Some(p), false)
        }
        Some(Err(())) => (start, None, true),
        None => (start, None, false),
    };
    // Typed values of locked fields that the register's verified values replaced, by label.
    let replaced: Vec<Text> = prefilled.as_ref().map_or_else(Vec::new, |p| {
        p.replaced
            .iter()
            .filter_map(|at| {
                form.definition()
                    .pages
                    .iter()
                    .flat_map(|pg| &pg.sections)
                    .flat_map(|s| &s.items)
                    .find(|i| i.pointer.as_deref() == Some(at.as_str()))
                    .and_then(|i| i.label.clone())
            })
            .collect()
    });
    let ctx = FormCtx::new(
        form.clone(),
        lang,
        start,
        today(),
        root.unwrap_or_default(),
        services.unwrap_or_default(),
    );
    if let Some(p) = prefilled {
        ctx.locked.set_value(p.locked);
        ctx.provenance.set_value(p.provenance);
    }
    // Bindings that depend on the data (`when`: "the applicant is the husband") follow it: one
    // that comes into force fills its field, one no longer in force takes back what it filled
    // (and puts back what it replaced).
    // Only forms with such bindings watch every change (two copies of the data per keystroke).
    if let Some(Ok(attributes)) = store
        .clone()
        .filter(|_| form_core::datastore::follows_data(form.definition()))
    {
        let before = StoredValue::new(ctx.data.get_untracked());
        let displaced = StoredValue::new(form_core::datastore::Displaced::new());
        Effect::new(move |_| {
            let data = ctx.data.get();
            let earlier = before.get_value();
            if earlier == data {
                return;
            }
            before.set_value(data.clone());
            let so_far = form_core::datastore::Prefilled {
                provenance: ctx.provenance.get_value(),
                locked: ctx.locked.get_value(),
                ..Default::default()
            };
            let mut moved = displaced.get_value();
            let Some(p) = ctx.form.with_value(|f| {
                form_core::datastore::prefill_again(
                    f,
                    &earlier,
                    &data,
                    &attributes,
                    ctx.today,
                    &so_far,
                    &mut moved,
                )
            }) else {
                return;
            };
            displaced.set_value(moved);
            let marks_changed = p.provenance != so_far.provenance || p.locked != so_far.locked;
            // The bound fields whose value changes, and their new values.
            let changed: Vec<(String, Option<Value>)> = ctx.form.with_value(|f| {
                f.definition()
                    .pages
                    .iter()
                    .flat_map(|pg| &pg.sections)
                    .flat_map(|s| &s.items)
                    .filter(|i| i.prefill.is_some())
                    .filter_map(|i| i.pointer.clone())
                    .filter(|ptr| pointer::get(&data, ptr) != pointer::get(&p.data, ptr))
                    .map(|ptr| {
                        let v = pointer::get(&p.data, &ptr).cloned();
                        (ptr, v)
                    })
                    .collect()
            });
            if p.data != data {
                before.set_value(p.data.clone());
                ctx.replace_data(p.data);
            }
            if marks_changed {
                // Locks and "from the register" notes are drawn with the fields: draw again,
                // keeping the focus where it was (the choice just made). Drawing again patches
                // the inputs in place, so one the citizen typed in is given its new value too.
                ctx.locked.set_value(p.locked);
                ctx.provenance.set_value(p.provenance);
                let focused = ctx.root.with_value(dom_id::Root::focused_id);
                ctx.redraw.update(|g| *g += 1);
                request_animation_frame(move || {
                    for (ptr, value) in &changed {
                        crate::ctx::write_input(ctx, ptr, value.as_ref());
                    }
                    if let Some(id) = focused {
                        ctx.root.with_value(|r| r.element(&id).map(|el| el.focus()));
                    }
                });
            }
        });
    }
    let data = ctx.data;
    // Saves to the portal once typing pauses (the newest change only).
    let typed = StoredValue::new(0_u64);
    {
        let key = draft_key.clone();
        let portal_sync = portal_sync.clone();
        Effect::new(move |first: Option<()>| {
            // Not on opening: a restored draft keeps the time it was last edited.
            data.track();
            if first.is_some() {
                data.with_untracked(|d| drafts::save(&key, d));
                if let Some((url, version)) = portal_sync.clone() {
                    typed.update_value(|n| *n += 1);
                    let this = typed.get_value();
                    let key = key.clone();
                    let services = ctx.services.get_value();
                    leptos::task::spawn_local(async move {
                        fetch::sleep(drafts::PORTAL_SAVE_MS).await;
                        if typed.try_get_value() == Some(this) {
                            drafts::push(&services, &key, &url, version).await;
                        }
                    });
                }
                if let Some(cb) = on_change {
                    cb.run(data.get_untracked());
                }
            }
        });
    }
    if intake.as_ref().is_some_and(|i| i.signed_in) {
        ctx.upload_url
            .set_value(ctx.services.with_value(Services::attachments));
    }
    provide_context(ctx);
    if let Some(live) = live.filter(|_| LIVE) {
        Effect::new(move |_| {
            let next = live.get();
            if !ctx.form.with_value(|f| Arc::ptr_eq(f, &next)) {
                ctx.replace_form(next);
            }
        });
    }
    if let Some(cb) = on_ready {
        cb.run(ctx);
    }

    let outcome = RwSignal::new(Outcome::Idle);
    // Long forms show one page at a time; `attempted` is the page whose "Continue" found errors.
    let page_count = move || {
        ctx.revision.track();
        ctx.form.with_value(|f| f.definition().pages.len())
    };
    let paged = move || page_count() > 1;
    let current = RwSignal::new(0_usize);
    let attempted = RwSignal::new(None::<usize>);
    let summary_ref = NodeRef::<leptos::html::Div>::new();
    let result_ref = NodeRef::<leptos::html::Div>::new();
    let focus_later = move |target: NodeRef<leptos::html::Div>| {
        request_animation_frame(move || {
            if let Some(el) = target.get_untracked() {
                let _ = el.focus();
            }
        });
    };

    let submits_dossier = intake.is_some();
    let needs_signature = form
        .definition()
        .signature
        .as_ref()
        .is_some_and(|s| s.required);
    #[cfg(not(feature = "services"))]
    let _ = (needs_signature, on_signed);
    #[cfg(feature = "services")]
    let sign_with = (intake.clone(), draft_key.clone(), form.clone());
    let sign_in_url = intake.as_ref().and_then(|i| i.sign_in_url.clone());
    let on_submit = {
        let draft_key = draft_key.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            ctx.show_errors();
            if !ctx.errors.with_untracked(Vec::is_empty) {
                outcome.set(Outcome::Idle);
                focus_later(summary_ref);
                return;
            }
            if let Some(intake) = intake.clone() {
                #[cfg(feature = "services")]
                if needs_signature && intake.signed_in {
                    // Signed first (the Sign step sends the dossier once signed), once every
                    // file has finished uploading: its `sha256` is part of what is signed.
                    outcome.set(Outcome::Checking);
                    leptos::task::spawn_local(async move {
                        while ctx.uploads_pending.get_untracked() > 0 {
                            fetch::sleep(100).await;
                        }
                        outcome.set(Outcome::Signing(ctx.submission()));
                        focus_later(result_ref);
                    });
                    return;
                }
                send_dossier(
                    ctx,
                    intake,
                    draft_key.clone(),
                    outcome,
                    None,
                    move |refused| focus_later(if refused { summary_ref } else { result_ref }),
                );
                return;
            }
            let Some(url) = check_url.clone() else {
                // No portal to ask: the browser's verdict is the acknowledgement.
                drafts::clear(&draft_key);
                if let Some(cb) = on_submitted {
                    cb.run(ctx.data.get_untracked());
                }
                outcome.set(Outcome::Accepted);
                focus_later(result_ref);
                return;
            };
            outcome.set(Outcome::Checking);
            // What intake would store (computed values in, hidden fields out): the portal
            // refuses values in hidden fields, as intake does.
            let body = ctx.submission().to_string();
            let body_sent = body.clone();
            let draft_key = draft_key.clone();
            leptos::task::spawn_local(async move {
                let next = match fetch::request(&url, Some(&body)).await {
                    Ok(a) if a.status == 200 || a.status == 201 => {
                        drafts::clear(&draft_key);
                        if let Some(cb) = on_submitted {
                            cb.run(serde_json::from_str(&body_sent).unwrap_or_default());
                        }
                        Outcome::Accepted
                    }
                    Ok(a) if a.status == 422 => Outcome::Refused(fetch::diagnostics_of(&a.body)),
                    _ => Outcome::Failed,
                };
                let refused = matches!(next, Outcome::Refused(_));
                outcome.set(next);
                focus_later(if refused { summary_ref } else { result_ref });
            });
        }
    };

    let title = move || {
        ctx.revision.track();
        ctx.form.with_value(|f| ctx.text(&f.definition().title))
    };
    let description = move || {
        ctx.revision.track();
        ctx.form
            .with_value(|f| f.definition().description.as_ref().map(|d| ctx.text(d)))
    };

    // The summary lists the client's errors (on "Continue", those of the page), or what the
    // portal refused.
    let summary_entries = move || -> Vec<Diagnostic> {
        match outcome.get() {
            Outcome::Refused(d) => d,
            _ if ctx.submitted.get() => ctx.errors.get(),
            _ => match attempted.get() {
                Some(p) if p == current.get() => ctx.errors.with(|errs| {
                    errs.iter()
                        .filter(|d| page_of(ctx, &d.pointer) == p)
                        .cloned()
                        .collect()
                }),
                _ => Vec::new(),
            },
        }
    };
    let go_to = move |page: usize| {
        current.set(page);
        request_animation_frame(move || {
            ctx.root.with_value(|r| r.focus(&format!("ef-page-{page}")));
        });
    };
    // The errors of the page shown, each on the field that shows it (a file of an attachment
    // shows on the input), listed in the summary; whether there were any.
    let show_page_errors = move || {
        let page = current.get_untracked();
        let here: Vec<String> = ctx.errors.with_untracked(|errs| {
            errs.iter()
                .filter(|d| page_of(ctx, &d.pointer) == page)
                .map(|d| d.pointer.clone())
                .collect()
        });
        for p in &here {
            ctx.touch(&field_pointer_of(ctx, p));
        }
        attempted.set((!here.is_empty()).then_some(page));
        !here.is_empty()
    };
    let on_continue = move |_| {
        if show_page_errors() {
            focus_later(summary_ref);
        } else {
            go_to(current.get_untracked() + 1);
        }
    };
    let has_previous = move || paged() && current.get() >= 1;
    let on_back = move |_| {
        attempted.set(None);
        go_to(current.get_untracked().saturating_sub(1));
    };
    let generation = ctx.redraw;
    let notice_shown = RwSignal::new(true);
    let title_ref = NodeRef::<leptos::html::H1>::new();
    // What an earlier version's draft could not bring over: the citizen types it again; the
    // notice stays until they say they have read it.
    let carried_shown = RwSignal::new(true);
    let carried_key = draft_key.clone();
    let carried_notice = drafts::carried(&draft_key).map(|drafts::Carried { from, dropped }| {
        let intro = Text::new(
            Ui::DraftCarried.get(Lang::Vi).replace("{}", &from.to_string()),
            Ui::DraftCarried.get(Lang::En).replace("{}", &from.to_string()),
        );
        let lost = (!dropped.is_empty()).then(|| view! {
            <p>{move || Ui::CarriedDropped.get(lang.get())}</p>
            <ul>{dropped.into_iter().map(|(label, value)| {
                view! { <li>{move || label.as_ref().map(|l| format!("{}: ", l.get(lang.get()))).unwrap_or_default()}{value.clone()}</li> }
            }).collect_view()}</ul>
        });
        let key = carried_key.clone();
        view! {
            <div class="ef-panel ef-draft" role="status" data-testid="draft-carried" hidden=move || !carried_shown.get()>
                <p>{move || intro.get(lang.get()).to_owned()}</p>
                {lost}
                <button type="button" class="ef-button ef-button--secondary" data-testid="carried-read" on:click=move |_| { drafts::dismiss_carried(&key); carried_shown.set(false); }>{move || Ui::CarriedRead.get(lang.get())}</button>
            </div>
        }
    });
    let restored_notice = restored_at.map(|at| {
        let when = drafts::saved_at_text(at);
        let key = draft_key.clone();
        let portal_url = portal_sync.as_ref().map(|(url, _)| url.clone());
        let start_again = move |_| {
            let window = web_sys::window();
            let sure = window.as_ref().is_none_or(|w| {
                w.confirm_with_message(&Ui::StartAgainConfirm.get(lang.get_untracked()))
                    .unwrap_or(false)
            });
                        if sure {
                // In place, not by reloading: an embedding page keeps its own state.
                drafts::clear(&key);
                if let Some(url) = portal_url.clone() {
                    leptos::task::spawn_local(async move {
                        let _ = fetch::delete(&url).await;
                    });
                }
                ctx.reset(Value::Object(Default::default()));
                notice_shown.set(false);
                outcome.set(Outcome::Idle);
                attempted.set(None);
                current.set(0);
                generation.update(|g| *g += 1);
                request_animation_frame(move || {
                    if let Some(el) = title_ref.get_untracked() {
                        let _ = el.focus();
                    }
                });
            }
        };
        view! {
            <div class="ef-panel ef-draft" role="status" data-testid="draft-restored" hidden=move || !notice_shown.get()>
                <p>{move || if from_portal { Ui::DraftResumed } else { Ui::DraftRestored }.get(lang.get()).replace("{}", &when)}</p>
                <button type="button" class="ef-button ef-button--secondary" on:click=start_again>{move || Ui::StartAgain.get(lang.get())}</button>
            </div>
        }
    });

    view! {
        <form class="ef-form" novalidate=true on:submit=on_submit lang=move || lang.get().tag()>
            <h1 class="ef-title" tabindex="-1" node_ref=title_ref>{title}</h1>
            {move || description().map(|d| view! { <p class="ef-lead">{d}</p> })}
            <Show when=move || !summary_entries().is_empty()>
                <div class="ef-summary" role="alert" tabindex="-1" node_ref=summary_ref aria-labelledby="ef-summary-title">
                    <h2 class="ef-summary__title" id="ef-summary-title">
                        {move || match outcome.get() {
                            Outcome::Refused(_) => Ui::ServerDisagrees.get(lang.get()),
                            _ => Ui::SummaryTitle.get(lang.get()),
                        }}
                    </h2>
                    <ul class="ef-summary__list">
                        {move || summary_entries().into_iter().map(|d| summary_entry(ctx, d, current)).collect_view()}
                    </ul>
                </div>
            </Show>
            {carried_notice}
            {restored_notice}
            {(!replaced.is_empty()).then(|| view! {
                <div class="ef-panel" role="status" data-testid="replaced-by-register">
                    <p>{move || {
                        let lang = lang.get();
                        let names = replaced.iter().map(|t| t.get(lang)).collect::<Vec<_>>().join(", ");
                        Ui::ReplacedByRegister.get(lang).replace("{}", &names)
                    }}</p>
                </div>
            })}
            {store_down.then(|| view! {
                <div class="ef-panel ef-panel--warn" role="status" data-testid="store-down">
                    <p>{move || Ui::StoreDown.get(lang.get())}</p>
                </div>
            })}
            {move || {
                // Drawn again from scratch when the citizen starts again, and in the other
                // language when it changes: texts inside are drawn once, not watched (inputs
                // take their values from the data, so nothing typed is lost). A new version of
                // the form (the builder's preview) draws again only what changed in it.
                generation.track();
                let lang = lang.get();
                if !LIVE {
                    return keyed_pages(ctx)
                        .into_iter()
                        .map(|page| draw_page(ctx, lang, page.1, page.2, current, page_count))
                        .collect_view()
                        .into_any();
                }
                view! {
                    <For each=move || keyed_pages(ctx) key=|p| p.0 let:page>
                        {draw_page(ctx, lang, page.1, page.2, current, page_count)}
                    </For>
                }
                .into_any()
            }}
            <div class="ef-actions">
                <Show when=has_previous>
                    <button type="button" class="ef-button ef-button--secondary" on:click=on_back>{move || Ui::Back.get(lang.get())}</button>
                </Show>
                <Show when=move || paged() && current.get() + 1 < page_count()>
                    <button type="button" class="ef-button" on:click=on_continue>{move || Ui::Continue.get(lang.get())}</button>
                </Show>
                <Show when=move || !paged() || current.get() + 1 == page_count()>
                    <button type="submit" class="ef-button" disabled=move || matches!(outcome.get(), Outcome::Checking | Outcome::Sending(_) | Outcome::Received(_) | Outcome::Signing(_))>
                        {move || match outcome.get() {
                            Outcome::Checking => Ui::Checking.get(lang.get()),
                            Outcome::Sending(_) => Ui::Sending.get(lang.get()),
                            _ if submits_dossier => Ui::SubmitDossier.get(lang.get()),
                            _ => Ui::Submit.get(lang.get()),
                        }}
                    </button>
                </Show>
            </div>
            <div class="ef-result" tabindex="-1" node_ref=result_ref aria-live="polite">
                {move || match outcome.get() {
                    Outcome::Accepted => Some(view! {
                        <div class="ef-panel ef-panel--ok" data-testid="accepted">
                            <h2>{Ui::CheckedTitle.get(lang.get())}</h2>
                            <p>{Ui::CheckedBody.get(lang.get())}</p>
                        </div>
                    }.into_any()),
                    Outcome::Failed => Some(view! {
                        <div class="ef-panel ef-panel--warn" role="alert" data-testid="send-failed">
                            <p>{Ui::NetworkError.get(lang.get())}</p>
                        </div>
                    }.into_any()),
                    Outcome::Sending(n) => Some(view! {
                        <p class="ef-hint" data-testid="sending">{if n == 0 { Ui::Sending.get(lang.get()) } else { Ui::Retrying.get(lang.get()).replace("{}", &n.to_string()) }}</p>
                    }.into_any()),
                    Outcome::Received(code) => Some(view! {
                        <div class="ef-panel ef-panel--ok" data-testid="received">
                            <h2>{Ui::Received.get(lang.get())}</h2>
                            <p>{Ui::DossierCode.get(lang.get())}" "<strong>{code}</strong></p>
                        </div>
                    }.into_any()),
                    Outcome::SignIn => Some(view! {
                        <div class="ef-panel ef-panel--warn" role="alert" data-testid="sign-in-needed">
                            <p>{Ui::SignInToSubmit.get(lang.get())}</p>
                            {sign_in_url.clone().map(|href| view! { <p><a class="ef-button" href=href>{Ui::SignIn.get(lang.get())}</a></p> })}
                        </div>
                    }.into_any()),
                    Outcome::Rejected(t) => Some(view! {
                        <div class="ef-panel ef-panel--warn" role="alert" data-testid="rejected">
                            <p>{t.get(lang.get()).to_owned()}</p>
                        </div>
                    }.into_any()),
                    #[cfg(feature = "services")]
                    Outcome::Signing(data) => {
                        let (intake, draft_key, form) = sign_with.clone();
                        let intake = intake?;
                        let on_signed_out = intake.on_signed_out;
                        let on_signed = UnsyncCallback::new(move |signed: (Value, String)| {
                            if let Some(cb) = on_signed {
                                cb.run(serde_json::json!({ "data": signed.0, "signature": signed.1 }));
                            }
                            send_dossier(ctx, intake.clone(), draft_key.clone(), outcome, Some(signed), move |refused| {
                                focus_later(if refused { summary_ref } else { result_ref })
                            });
                        });
                        let on_cancel = UnsyncCallback::new(move |()| outcome.set(Outcome::Idle));
                        let services = ctx.services.get_value();
                        Some(view! { <crate::signing::SignStep form=form data=data lang=lang services=services on_signed=on_signed on_cancel=on_cancel on_signed_out=on_signed_out /> }.into_any())
                    }
                    _ => None,
                }}
            </div>
        </form>
    }
}

/// A key that changes whenever anything it is made of changes.
pub fn fingerprint(parts: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

/// A value's JSON, hashed as it is written (no text made): part of a [`fingerprint`].
pub struct Json<'a, T: serde::Serialize>(pub &'a T);

impl<T: serde::Serialize> std::hash::Hash for Json<'_, T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        struct Feed<'h, H>(&'h mut H);
        impl<H: std::hash::Hasher> std::io::Write for Feed<'_, H> {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.write(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        // Writing into a hasher cannot fail; a value that cannot be written hashes as
        // written so far.
        let _ = serde_json::to_writer(Feed(state), self.0);
    }
}

/// Whether the form drawn can be replaced by later versions of it (the builder's preview): then
/// its pages, sections and items are drawn by keyed lists, each part keyed by what it is drawn
/// from (which takes serialising the definition); a citizen's form never changes, and is drawn
/// once as it is (without the keyed lists' code in the citizens' bundles).
const LIVE: bool = cfg!(feature = "live");

/// The pages of the form now: (key, index, page without its sections).
fn keyed_pages(ctx: FormCtx) -> Vec<(u64, usize, form_core::Page)> {
    ctx.revision.track();
    ctx.form.with_value(|f| {
        f.definition()
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let bare = form_core::Page {
                    sections: Vec::new(),
                    ..p.clone()
                };
                let key = if LIVE {
                    fingerprint((i, Json(&bare)))
                } else {
                    i as u64
                };
                (key, i, bare)
            })
            .collect()
    })
}

/// The sections of page `page` now: (key, section without its items, the pointers of its
/// items when a rule hides it).
fn keyed_sections(ctx: FormCtx, page: usize) -> Vec<(u64, form_core::Section, Vec<String>)> {
    ctx.revision.track();
    ctx.form.with_value(|f| {
        let Some(p) = f.definition().pages.get(page) else {
            return Vec::new();
        };
        p.sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let pointers: Vec<String> = if s.visible_if.is_some() {
                    s.items.iter().filter_map(|i| i.pointer.clone()).collect()
                } else {
                    Vec::new()
                };
                let bare = form_core::Section {
                    items: Vec::new(),
                    ..s.clone()
                };
                let key = if LIVE {
                    fingerprint((Json(&bare), &pointers))
                } else {
                    i as u64
                };
                (key, bare, pointers)
            })
            .collect()
    })
}

/// The items of section `section` of page `page` now, keyed by everything an item is drawn
/// from: its definition, its section's rule, its data schema and whether it is required there,
/// whether rules are about it (and which of identical items it is); with their places.
fn keyed_items(ctx: FormCtx, page: usize, section: &str) -> Vec<((u64, usize), usize)> {
    ctx.revision.track();
    ctx.form.with_value(|f| {
        let def = f.definition();
        let Some(s) = def
            .pages
            .get(page)
            .and_then(|p| p.sections.iter().find(|s| s.id == section))
        else {
            return Vec::new();
        };
        let defs = def.data_schema.get("$defs");
        let mut seen: HashMap<u64, usize> = HashMap::new();
        s.items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                if !LIVE {
                    return ((index as u64, 0), index);
                }
                let (schema, required) = item
                    .pointer
                    .as_deref()
                    .map(|p| raw_schema_at(&def.data_schema, p))
                    .unwrap_or((None, false));
                let ruled = item.pointer.as_deref().is_some_and(|p| f.is_ruled(p));
                let key = fingerprint((
                    Json(item),
                    &s.visible_if,
                    schema.map(Json),
                    required,
                    ruled,
                    defs.map(Json),
                ));
                let n = seen.entry(key).or_default();
                *n += 1;
                ((key, *n), index)
            })
            .collect()
    })
}

/// The item at `index` of section `section` of page `page`, as the form is now.
fn item_at(ctx: FormCtx, page: usize, section: &str, index: usize) -> Option<form_core::Item> {
    ctx.form.with_value(|f| {
        f.definition()
            .pages
            .get(page)?
            .sections
            .iter()
            .find(|s| s.id == section)?
            .items
            .get(index)
            .cloned()
    })
}

/// The data schema's part at `ptr` as written (through `properties`, and `items` for a
/// number or `*`), and whether its object lists it as required.
fn raw_schema_at<'a>(schema: &'a Value, ptr: &str) -> (Option<&'a Value>, bool) {
    let mut at = Some(schema);
    let mut required = false;
    for seg in ptr.split('/').skip(1) {
        let Some(s) = at else { break };
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if (seg == "*" || seg.parse::<usize>().is_ok()) && s.get("items").is_some() {
            at = s.get("items");
            required = false;
        } else {
            required = s
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|k| k.as_str() == Some(seg.as_str())));
            at = s.get("properties").and_then(|p| p.get(&seg));
        }
    }
    (at, required)
}

/// One page: its heading when the form has several, its sections.
fn draw_page(
    ctx: FormCtx,
    lang: Lang,
    pi: usize,
    page: form_core::Page,
    current: RwSignal<usize>,
    page_count: impl Fn() -> usize + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let paged = move || page_count() > 1;
    let title = page.title.get(lang).to_owned();
    let heading = move || {
        paged().then(|| {
            let progress = Ui::Step
                .get(lang)
                .replacen("{}", &(pi + 1).to_string(), 1)
                .replacen("{}", &page_count().to_string(), 1);
            view! {
                <div class="ef-page__head">
                    <p class="ef-progress">{progress}</p>
                    <h2 class="ef-page__title" id=format!("ef-page-{pi}") tabindex="-1">{title.clone()}</h2>
                </div>
            }
        })
    };
    view! {
        // Pages other than the current one are off screen but printed: a printout is the
        // whole form.
        <div class=move || if paged() && current.get() != pi { "ef-page ef-page--off" } else { "ef-page" }>
            {heading}
            {if LIVE {
                view! {
                    <For each=move || keyed_sections(ctx, pi) key=|s| s.0 let:section>
                        {draw_section(ctx, lang, pi, section.1, section.2)}
                    </For>
                }
                .into_any()
            } else {
                keyed_sections(ctx, pi)
                    .into_iter()
                    .map(|section| draw_section(ctx, lang, pi, section.1, section.2))
                    .collect_view()
                    .into_any()
            }}
        </div>
    }
}

/// One section: its heading and help, its items.
fn draw_section(
    ctx: FormCtx,
    lang: Lang,
    pi: usize,
    section: form_core::Section,
    pointers: Vec<String>,
) -> impl IntoView {
    let heading_id = format!("s-{}", section.id);
    // A section whose rule hides it hides with its heading.
    let hidden = move || !pointers.is_empty() && pointers.iter().all(|p| ctx.hidden(p));
    let id = section.id.clone();
    let items_id = id.clone();
    view! {
        <section class="ef-section" hidden=hidden aria-labelledby=heading_id.clone()>
            {section.title.map(|t| view! { <h2 class="ef-section__title" id=heading_id.clone()>{t.get(lang).to_owned()}</h2> })}
            {section.help.map(|h| view! { <p class="ef-hint">{h.get(lang).to_owned()}</p> })}
            {if LIVE {
                view! {
                    <For each=move || keyed_items(ctx, pi, &items_id) key=|i| i.0 let:item>
                        {item_at(ctx, pi, &id, item.1).map(|it| widgets::item(ctx, &it))}
                    </For>
                }
                .into_any()
            } else {
                // A citizen's form never changes: its items are drawn once, as they are.
                ctx.form
                    .with_value(|f| {
                        f.definition()
                            .pages
                            .get(pi)
                            .and_then(|p| p.sections.iter().find(|s| s.id == id))
                            .map(|s| s.items.clone())
                    })
                    .unwrap_or_default()
                    .iter()
                    .map(|item| widgets::item(ctx, item))
                    .collect_view()
                    .into_any()
            }}
        </section>
    }
}

/// Sends the submission to the portal's intake with an idempotency key kept beside the draft:
/// a retry — automatic after a network failure or a server error, or the citizen's after a
/// reload — reuses it, so the portal takes the dossier once. The draft stays until the portal
/// acknowledges.
fn send_dossier(
    ctx: FormCtx,
    intake: Intake,
    draft_key: String,
    outcome: RwSignal<Outcome>,
    signed: Option<(Value, String)>,
    focus: impl Fn(bool) + 'static,
) {
    if !intake.signed_in {
        outcome.set(Outcome::SignIn);
        if let Some(cb) = &intake.on_signed_out {
            cb.run(());
        }
        focus(false);
        return;
    }
    let key_slot = format!("{draft_key}.submission-key");
    let key = drafts::get_item(&key_slot).unwrap_or_else(|| {
        let k = fetch::new_key();
        drafts::set_item(&key_slot, &k);
        k
    });
    outcome.set(Outcome::Sending(0));
    let services = ctx.services.get_value();
    leptos::task::spawn_local(async move {
        // Files still uploading: their `sha256` is not in the data yet.
        while ctx.uploads_pending.get_untracked() > 0 {
            fetch::sleep(100).await;
        }
        // A signed dossier sends exactly the data signed.
        let (data, signature) = match signed {
            Some((data, cms)) => (data, Some(serde_json::json!({ "cms": cms }))),
            None => (ctx.submission(), None),
        };
        let mut body = if intake.amendment {
            serde_json::json!({ "data": &data })
        } else {
            ctx.form.with_value(|f| {
                let d = f.definition();
                serde_json::json!({ "formId": d.id, "formVersion": d.version, "data": &data })
            })
        };
        if let Some(s) = signature {
            body["signature"] = s;
        }
        let body = body.to_string();
        const RETRIES: u32 = 3;
        let mut attempt = 0;
        let next = loop {
            match services.file(&intake.url, &body, &key).await {
                Filed::Code(code, _) => {
                    drafts::clear(&draft_key);
                    drafts::remove_item(&key_slot);
                    intake.on_done.run((code.clone(), data.clone()));
                    break Outcome::Received(code);
                }
                Filed::SignedOut => break Outcome::SignIn,
                Filed::Refused(diagnostics) => break Outcome::Refused(diagnostics),
                Filed::Rejected(why) => break Outcome::Rejected(why),
                Filed::Again if attempt < RETRIES => {
                    attempt += 1;
                    outcome.set(Outcome::Sending(attempt));
                    fetch::sleep(1000 * (1 << (attempt - 1))).await;
                }
                Filed::Again => break Outcome::Failed,
            }
        };
        let refused = matches!(next, Outcome::Refused(_));
        let signed_out = matches!(next, Outcome::SignIn);
        outcome.set(next);
        if let (true, Some(cb)) = (signed_out, &intake.on_signed_out) {
            cb.run(());
        }
        focus(refused);
    });
}

/// The page a data pointer's field is on (the nearest field above it, for the parts of an
/// address or the rows of a table).
fn page_of(ctx: FormCtx, pointer: &str) -> usize {
    ctx.form.with_value(|f| {
        let mut cur = pointer;
        loop {
            if let Some(field) = f.field_for(cur) {
                return field.page;
            }
            match cur.rsplit_once('/') {
                Some((head, _)) if !head.is_empty() => cur = head,
                _ => return 0,
            }
        }
    })
}

/// The data pointer of the field that shows an error at `pointer`: the pointer's own field, else
/// the nearest field above it.
fn field_pointer_of(ctx: FormCtx, pointer: &str) -> String {
    ctx.form.with_value(|f| {
        let mut cur = pointer;
        loop {
            if f.field_for(cur).is_some() {
                return cur.to_owned();
            }
            match cur.rsplit_once('/') {
                Some((head, _)) if !head.is_empty() => cur = head,
                _ => return pointer.to_owned(),
            }
        }
    })
}

/// The element id an error at `pointer` links to: the pointer's own element, else the nearest
/// one above it (a file of a multi-file attachment links to the attachment's input).
fn target_id(ctx: FormCtx, pointer: &str) -> String {
    let mut cur = pointer;
    loop {
        let id = dom_id::for_pointer(cur);
        let exists = ctx.root.with_value(|r| r.element(&id).is_some());
        match cur.rsplit_once('/') {
            _ if exists => return id,
            Some((head, _)) if !head.is_empty() => cur = head,
            _ => return dom_id::for_pointer(pointer),
        }
    }
}

/// One entry of the error summary: a link that moves focus to the field (showing its page
/// first on a long form).
fn summary_entry(ctx: FormCtx, d: Diagnostic, current: RwSignal<usize>) -> impl IntoView {
    let page = page_of(ctx, &d.pointer);
    let label = ctx
        .form
        .with_value(|f| f.field_for(&d.pointer).map(|field| field.label.clone()));
    let pointer = d.pointer.clone();
    let href = format!("#{}", target_id(ctx, &pointer));
    // "Full name: Enter full name" says it twice: the label leads only when the message does
    // not already name the field.
    let text = move || {
        let lang = ctx.lang.get();
        let message = d.message.get(lang);
        match &label {
            Some(l) if !form_core::lower(message).contains(&form_core::lower(l.get(lang))) => {
                format!("{}: {message}", l.get(lang))
            }
            _ => message.to_owned(),
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        current.set(page);
        // After the page shows (a hidden element cannot take focus).
        let pointer = pointer.clone();
        request_animation_frame(move || {
            // Looked up now: the element may have been drawn after this entry.
            let target = target_id(ctx, &pointer);
            ctx.root.with_value(|r| r.focus(&target));
        });
    };
    view! { <li><a href=href on:click=on_click>{text}</a></li> }
}
